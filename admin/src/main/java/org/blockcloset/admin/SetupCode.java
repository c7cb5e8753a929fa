package org.blockcloset.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The one-time code that first-run setup asks for, so that nobody else on the LAN claims a fresh
 * node before its owner: made at start while the console is not set up, printed by {@code up} (the
 * node's banner), held only in memory, forgotten once used. A restart makes a new one.
 */
public final class SetupCode {
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private volatile String code;

    public SetupCode() {
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            if (i == 5) {
                b.append('-');
            }
            b.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        this.code = b.toString();
    }

    /** The code, for the banner; null once used. */
    public String code() {
        return code;
    }

    boolean matches(String sent) {
        String c = code;
        if (c == null || sent == null) {
            return false;
        }
        String normalised = sent.trim().toUpperCase(java.util.Locale.ROOT).replace(" ", "");
        if (normalised.length() == 10) {
            normalised = normalised.substring(0, 5) + "-" + normalised.substring(5);
        }
        return MessageDigest.isEqual(c.getBytes(StandardCharsets.UTF_8), normalised.getBytes(StandardCharsets.UTF_8));
    }

    void used() {
        code = null;
    }
}
