package org.blockcloset.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Login throttling holds under parallel attempts (the attempt is counted before the password is
 * hashed, atomically), a node takes a bounded number of attempts a minute from all addresses, and
 * at most two password hashes run at once.
 */
class ConsoleAuthTest {
    private Path dir;
    private ConsoleDb db;
    private ConsoleAuth auth;

    @BeforeEach
    void open() throws Exception {
        dir = Files.createTempDirectory("console-auth-");
        db = ConsoleDb.open(dir);
        auth = new ConsoleAuth(db, Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        db.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A request from {@code address}: only what the throttle reads of it. */
    static HttpServletRequest from(String address) {
        return (HttpServletRequest) Proxy.newProxyInstance(ConsoleAuthTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRemoteAddr" -> address;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "request from " + address;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void fiftyParallelAttemptsFromOneAddressGetFiveTries() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> tries = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            tries.add(pool.submit(() -> {
                go.await();
                return auth.begin(from("192.0.2.7")).allowed();
            }));
        }
        go.countDown();
        int allowed = 0;
        for (Future<Boolean> t : tries) {
            allowed += t.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(ConsoleAuth.FREE_FAILURES, allowed, "five tries, then the address waits");
        ConsoleAuth.Attempt next = auth.begin(from("192.0.2.7"));
        assertFalse(next.allowed());
        assertTrue(next.retryAfter().toSeconds() >= 1, next.toString());
    }

    @Test
    void aSessionEndsAWeekAfterItsLoginHoweverBusy() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000_000_000L);
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                return java.time.Instant.ofEpochMilli(now.get());
            }
        };
        ConsoleAuth timed = new ConsoleAuth(db, clock);
        String token = ConsoleAuth.random(32);
        long t0 = now.get();
        db.sessions().insert(ConsoleAuth.sha256(token), "admin", "csrf", t0, t0, t0 + ConsoleAuth.IDLE.toMillis(), "192.0.2.9");
        HttpServletRequest withCookie = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getCookies" -> new jakarta.servlet.http.Cookie[] {new jakarta.servlet.http.Cookie(ConsoleAuth.COOKIE, token)};
                    case "getRemoteAddr" -> "192.0.2.9";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        for (int hour = 0; hour < 24 * 7 - 1; hour++) {
            now.set(t0 + java.time.Duration.ofHours(hour).toMillis());
            assertTrue(timed.session(withCookie).isPresent(), "used every hour: alive at hour " + hour);
        }
        now.set(t0 + ConsoleAuth.ABSOLUTE.toMillis());
        assertFalse(timed.session(withCookie).isPresent(), "a week after the login it is over");
    }

    @Test
    void aSuccessClearsTheCountedAttempt() {
        for (int i = 0; i < 20; i++) {
            assertTrue(auth.begin(from("192.0.2.8")).allowed(), "try " + i);
            auth.succeeded(from("192.0.2.8"));
        }
    }

    @Test
    void aNodeTakesABoundedNumberOfAttemptsAMinuteFromAllAddresses() {
        int allowed = 0;
        for (int i = 0; i < 200; i++) {
            if (auth.begin(from("198.51.100." + i)).allowed()) {
                allowed++;
            }
        }
        assertEquals(ConsoleAuth.ATTEMPTS_PER_MINUTE, allowed);
    }

    @Test
    void atMostTwoPasswordHashesRunAtOnce() throws Exception {
        String hash = Passwords.hash("correct horse battery");
        ExecutorService pool = Executors.newFixedThreadPool(12);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<java.util.Optional<Boolean>>> checks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            checks.add(pool.submit(() -> {
                go.await();
                return auth.verifyPassword("correct horse battery", hash);
            }));
        }
        go.countDown();
        int ran = 0;
        int busy = 0;
        for (Future<java.util.Optional<Boolean>> c : checks) {
            java.util.Optional<Boolean> r = c.get(60, TimeUnit.SECONDS);
            if (r.isPresent()) {
                assertTrue(r.get());
                ran++;
            } else {
                busy++;
            }
        }
        pool.shutdown();
        assertTrue(ran >= 1 && busy >= 1, "some ran, the rest were told to come back: ran " + ran + ", busy " + busy);
    }
}
