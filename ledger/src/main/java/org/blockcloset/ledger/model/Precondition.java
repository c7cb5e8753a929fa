package org.blockcloset.ledger.model;

/**
 * A conditional write (If-Match / If-None-Match: *), checked by the fold against the key's
 * current version in log order, so two writers racing for the same "create if absent" cannot
 * both win.
 *
 * @param ifMatch          the write applies only if the current version has this ETag (null: no check)
 * @param ifNoneMatchAny   the write applies only if the key has no current version
 */
public record Precondition(String ifMatch, boolean ifNoneMatchAny) {
    public boolean holds(ObjectVersion current) {
        if (ifNoneMatchAny && current != null) {
            return false;
        }
        if (ifMatch == null) {
            return true;
        }
        // "*" matches any current object (S3: a conditional write that requires the key to exist).
        return current != null && (ifMatch.trim().equals("*") || unquote(ifMatch).equals(unquote(current.etag())));
    }

    private static String unquote(String etag) {
        String t = etag.trim();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }
}
