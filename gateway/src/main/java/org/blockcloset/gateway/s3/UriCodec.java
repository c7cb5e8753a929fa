package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Percent-encoding as S3 uses it: UTF-8 bytes, '+' is a literal plus (not a space) in paths. */
public final class UriCodec {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private UriCodec() {
    }

    /** Decodes %XX sequences as UTF-8. In a query, '+' also means a space (form encoding). */
    public static String decode(String s, boolean plusIsSpace) {
        if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new S3Exception(S3Error.INVALID_ARGUMENT, "Malformed percent-encoding in the request URI.");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c == '%') {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "Malformed percent-encoding in the request URI.");
            } else if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    b = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Encodes every byte but the unreserved ones (and '/' when {@code keepSlash}), as S3's encoding-type=url does. */
    public static String encode(String s, boolean keepSlash) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || (keepSlash && c == '/')) {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            }
        }
        return sb.toString();
    }

    /** Parses a raw query string; the first value of a repeated name wins; valueless names map to "". */
    public static Map<String, String> parseQuery(String raw) {
        return parseQuery(raw, true);
    }

    /** The query's parameters; {@code plusIsSpace} says how the request's signature read a '+' (ADR 0005). */
    public static Map<String, String> parseQuery(String raw, boolean plusIsSpace) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), plusIsSpace);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), plusIsSpace);
            out.putIfAbsent(name, value);
        }
        return out;
    }
}
