package org.blockcloset.admin;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Console sessions and login throttling. A session is a random token in an HttpOnly,
 * SameSite=Strict cookie; the database keeps only its SHA-256, with the session's CSRF token, and
 * forgets it after {@link #IDLE} without use, or {@link #ABSOLUTE} after the login. A client address that fails {@link #FREE_FAILURES}
 * logins (or setup codes) in {@link #WINDOW} is locked out for a time that doubles with every
 * further failure, up to {@link #MAX_LOCK}; a success clears its record.
 */
public final class ConsoleAuth {
    public static final String COOKIE = "bc_session";
    public static final Duration IDLE = Duration.ofHours(12);
    /** A session's lifetime from its login, however often it is used. */
    public static final Duration ABSOLUTE = Duration.ofDays(7);
    public static final int FREE_FAILURES = 5;
    public static final Duration WINDOW = Duration.ofMinutes(15);
    public static final Duration MAX_LOCK = Duration.ofMinutes(15);
    private static final Duration FIRST_LOCK = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Password hashes computed at once, at most: each Argon2id attempt takes 19 MiB. */
    static final int KDF_AT_ONCE = 2;
    /** Password and setup-code attempts per minute on this node, from all addresses together. */
    static final int ATTEMPTS_PER_MINUTE = 60;

    private final ConsoleDb db;
    private final Clock clock;
    private final java.util.concurrent.Semaphore kdf = new java.util.concurrent.Semaphore(KDF_AT_ONCE);
    private final java.util.ArrayDeque<Long> recentAttempts = new java.util.ArrayDeque<>();

    /** Whether a password (or setup code) may be tried now; if not, how long to wait and why. */
    public record Attempt(boolean allowed, Duration retryAfter, String why) {
    }

    public ConsoleAuth(ConsoleDb db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The caller's live session, if its cookie names one; refreshes its idle expiry. */
    public Optional<ConsoleDb.Session> session(HttpServletRequest req) {
        String token = cookie(req);
        if (token == null) {
            return Optional.empty();
        }
        long now = clock.millis();
        String hash = sha256(token);
        Optional<ConsoleDb.Session> s = db.sessions().find(hash, now);
        if (s.isPresent() && now - s.get().createdAt() >= ABSOLUTE.toMillis()) {
            db.sessions().delete(hash); // however busy, a session ends a week after its login
            return Optional.empty();
        }
        s.ifPresent(found -> {
            if (now - found.lastSeen() > 60_000) {
                db.sessions().touch(hash, now, Math.min(now + IDLE.toMillis(), found.createdAt() + ABSOLUTE.toMillis()));
            }
        });
        return s;
    }

    /** Starts a session for {@code user} and sets its cookie. */
    public void startSession(String user, HttpServletRequest req, HttpServletResponse resp) {
        String token = random(32);
        long now = clock.millis();
        db.sessions().deleteExpired(now);
        db.sessions().insert(sha256(token), user, random(24), now, now, now + IDLE.toMillis(), client(req));
        setCookie(resp, req, token, -1);
    }

    public void endSession(HttpServletRequest req, HttpServletResponse resp) {
        String token = cookie(req);
        if (token != null) {
            db.sessions().delete(sha256(token));
        }
        setCookie(resp, req, "", 0);
    }

    /** Ends every session of a user (after a password change). */
    public void endAllSessions(String user) {
        db.sessions().deleteAllOf(user);
    }

    /** True when the request carries the session's CSRF token (form field {@code csrf} or header {@code X-CSRF-Token}). */
    public static boolean csrfValid(ConsoleDb.Session s, HttpServletRequest req) {
        String sent = req.getHeader("X-CSRF-Token");
        if (sent == null) {
            sent = req.getParameter("csrf");
        }
        return sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                s.csrfToken().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Asks to try a password or setup code. Atomic for this node: the client's lock-out is checked and
     * the attempt counted as a failure <em>before</em> the password is hashed (a success then clears
     * it), so parallel attempts cannot slip past the count; and at most {@link #ATTEMPTS_PER_MINUTE}
     * attempts a minute are taken from all addresses together.
     */
    public synchronized Attempt begin(HttpServletRequest req) {
        Duration locked = lockedFor(req);
        if (!locked.isZero()) {
            return new Attempt(false, locked, "Too many failed attempts from this address");
        }
        long now = clock.millis();
        while (!recentAttempts.isEmpty() && recentAttempts.peekFirst() <= now - 60_000) {
            recentAttempts.removeFirst();
        }
        if (recentAttempts.size() >= ATTEMPTS_PER_MINUTE) {
            return new Attempt(false, Duration.ofMillis(Math.max(1000, recentAttempts.peekFirst() + 60_000 - now)),
                    "Too many login attempts on this node");
        }
        recentAttempts.addLast(now);
        failed(req);
        return new Attempt(true, Duration.ZERO, null);
    }

    /**
     * Checks a password against its stored hash with at most {@link #KDF_AT_ONCE} hashes running on
     * this node; empty when that many are already running (the caller answers 429).
     */
    public Optional<Boolean> verifyPassword(String password, String phc) {
        if (!kdf.tryAcquire()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Passwords.verify(password, phc));
        } finally {
            kdf.release();
        }
    }

    /** How long the client must still wait before it may try a password or setup code again (zero: it may). */
    public Duration lockedFor(HttpServletRequest req) {
        long now = clock.millis();
        return db.failures().find(client(req)).map(f -> Duration.ofMillis(Math.max(0, f.lockedUntil() - now)))
                .orElse(Duration.ZERO);
    }

    public void failed(HttpServletRequest req) {
        String client = client(req);
        long now = clock.millis();
        ConsoleDb.Failure f = db.failures().find(client).filter(old -> now - old.firstFailure() < WINDOW.toMillis()
                || old.lockedUntil() > now).orElse(new ConsoleDb.Failure(client, 0, now, 0));
        int failures = f.failures() + 1;
        long lock = 0;
        if (failures >= FREE_FAILURES) {
            long ms = FIRST_LOCK.toMillis() << Math.min(20, failures - FREE_FAILURES);
            lock = now + Math.min(ms, MAX_LOCK.toMillis());
        }
        db.failures().put(client, failures, f.firstFailure(), lock);
    }

    public void succeeded(HttpServletRequest req) {
        db.failures().clear(client(req));
    }

    static String client(HttpServletRequest req) {
        return req.getRemoteAddr();
    }

    private static String cookie(HttpServletRequest req) {
        Cookie[] cookies = req.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (COOKIE.equals(c.getName()) && !c.getValue().isEmpty()) {
                return c.getValue();
            }
        }
        return null;
    }

    private static void setCookie(HttpServletResponse resp, HttpServletRequest req, String value, int maxAge) {
        resp.addHeader("Set-Cookie", COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict"
                + (req.isSecure() ? "; Secure" : "") + (maxAge >= 0 ? "; Max-Age=" + maxAge : ""));
    }

    static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
