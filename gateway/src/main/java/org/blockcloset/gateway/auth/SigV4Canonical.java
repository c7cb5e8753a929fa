package org.blockcloset.gateway.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the pieces of a SigV4 canonical request from a request as received.
 *
 * <p>Path and query are decoded and then re-encoded with the SigV4 rules (every byte outside
 * {@code A-Za-z0-9-._~} as upper-case {@code %XX}), so a client whose HTTP layer escaped more or
 * fewer characters than SigV4 requires still yields the canonical form it signed. The path is
 * never normalized: {@code //}, {@code .} and {@code ..} are kept, as S3 does.
 */
final class SigV4Canonical {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private SigV4Canonical() {
    }

    static String canonicalPath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        return reencode(rawPath, true, false);
    }

    /** The canonical path reading an escaped {@code %2F} as the separator it stands for. */
    static String canonicalPathWithEscapedSlashes(String rawPath) {
        return rawPath == null ? null : canonicalPath(rawPath.replace("%2F", "/").replace("%2f", "/"));
    }

    /**
     * The canonical query string: pairs encoded, sorted by name then value, valueless names as
     * {@code name=}. {@code plusAsSpace} reads a raw {@code +} as a space (form encoding) instead
     * of a literal plus.
     */
    static String canonicalQuery(String rawQuery, boolean excludeSignature, boolean plusAsSpace) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            String encodedName = reencode(name, false, plusAsSpace);
            if (excludeSignature && encodedName.equals("X-Amz-Signature")) {
                continue;
            }
            pairs.add(new SimpleEntry<>(encodedName, reencode(value, false, plusAsSpace)));
        }
        pairs.sort(Map.Entry.<String, String>comparingByKey().thenComparing(Map.Entry.comparingByValue()));
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> pair : pairs) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(pair.getKey()).append('=').append(pair.getValue());
        }
        return sb.toString();
    }

    /** Decoded query parameters in order of appearance ({@code +} kept literal). */
    static List<Map.Entry<String, String>> decodeQuery(String rawQuery) {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        if (rawQuery == null) {
            return params;
        }
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            params.add(new SimpleEntry<>(utf8(percentDecode(name)), utf8(percentDecode(value))));
        }
        return params;
    }

    /** {@code name:value\n} lines for the signed headers, in the order given. */
    static String canonicalHeaders(SignedRequest request, List<String> signedHeaders) {
        StringBuilder sb = new StringBuilder();
        for (String name : signedHeaders) {
            List<String> values = request.headers(name);
            if (values.isEmpty() && name.equals("expect")) {
                // Proxies and servlet containers may consume "Expect: 100-continue".
                values = List.of("100-continue");
            }
            sb.append(name).append(':');
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                appendTrimmed(sb, values.get(i));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Appends the value trimmed, with each inner run of spaces/tabs collapsed to one space. */
    private static void appendTrimmed(StringBuilder sb, String value) {
        boolean pendingSpace = false;
        boolean started = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t') {
                pendingSpace = started;
            } else {
                if (pendingSpace) {
                    sb.append(' ');
                    pendingSpace = false;
                }
                sb.append(c);
                started = true;
            }
        }
    }

    /** Decodes {@code %XX} escapes; a malformed escape is kept as literal text. */
    private static byte[] percentDecode(String s) {
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '%' && i + 2 < in.length && hexValue(in[i + 1]) >= 0 && hexValue(in[i + 2]) >= 0) {
                out.write(hexValue(in[i + 1]) << 4 | hexValue(in[i + 2]));
                i += 2;
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /**
     * Decodes {@code %XX} escapes and re-encodes with the SigV4 rules. In paths a literal {@code /}
     * stays a separator while an escaped {@code %2F} stays escaped, so the two never collide.
     */
    static String reencode(String raw, boolean path, boolean plusAsSpace) {
        byte[] in = raw.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(in.length + 16);
        for (int i = 0; i < in.length; i++) {
            int c = in[i] & 0xFF;
            if (c == '%' && i + 2 < in.length && hexValue(in[i + 1]) >= 0 && hexValue(in[i + 2]) >= 0) {
                appendEncoded(sb, hexValue(in[i + 1]) << 4 | hexValue(in[i + 2]));
                i += 2;
            } else if (c == '+' && plusAsSpace) {
                appendEncoded(sb, ' ');
            } else if (c == '/' && path) {
                sb.append('/');
            } else {
                appendEncoded(sb, c);
            }
        }
        return sb.toString();
    }

    private static void appendEncoded(StringBuilder sb, int c) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~') {
            sb.append((char) c);
        } else {
            sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
        }
    }

    private static int hexValue(byte b) {
        return Character.digit((char) (b & 0xFF), 16);
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
