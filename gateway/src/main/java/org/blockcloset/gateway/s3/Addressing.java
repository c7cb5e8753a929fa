package org.blockcloset.gateway.s3;

import java.util.List;

/**
 * Finds bucket and key in a request: virtual-hosted style when the Host is {@code bucket.<domain>}
 * for a configured domain, path style ({@code /bucket/key}) otherwise.
 */
final class Addressing {
    /** @param fromHost true when the Host header named the bucket (virtual-hosted style) */
    record Target(String bucket, String key, boolean fromHost) {
        Target(String bucket, String key) {
            this(bucket, key, false);
        }
    }

    private final List<String> domains;

    Addressing(List<String> domains) {
        this.domains = domains.stream().map(d -> d.toLowerCase(java.util.Locale.ROOT)).toList();
    }

    Target resolve(String hostHeader, String rawPath) {
        String host = stripPort(hostHeader == null ? "" : hostHeader.toLowerCase(java.util.Locale.ROOT));
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        for (String domain : domains) {
            if (host.length() > domain.length() + 1 && host.endsWith("." + domain)) {
                String bucket = host.substring(0, host.length() - domain.length() - 1);
                String key = path.length() > 1 ? UriCodec.decode(path.substring(1), false) : null;
                return new Target(bucket, key, true);
            }
        }
        String p = path.substring(1);
        if (p.isEmpty()) {
            return new Target(null, null);
        }
        int slash = p.indexOf('/');
        if (slash < 0) {
            return new Target(UriCodec.decode(p, false), null);
        }
        String bucket = UriCodec.decode(p.substring(0, slash), false);
        String key = p.substring(slash + 1);
        return new Target(bucket, key.isEmpty() ? null : UriCodec.decode(key, false));
    }

    private static String stripPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }
}
