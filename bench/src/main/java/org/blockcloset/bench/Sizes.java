package org.blockcloset.bench;

import java.util.Locale;

/** Parses and prints object sizes: "4KiB", "1MiB", "64MiB" (also "4k", "1m"). */
final class Sizes {
    private Sizes() {
    }

    static int parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long unit = 1;
        if (t.endsWith("k")) {
            unit = 1 << 10;
        } else if (t.endsWith("m")) {
            unit = 1 << 20;
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        long v = Long.parseLong(digits.trim()) * unit;
        if (v <= 0 || v > 1L << 30) {
            throw new IllegalArgumentException("object size out of range (1 B .. 1 GiB): " + s);
        }
        return (int) v;
    }

    static String format(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " B";
    }
}
