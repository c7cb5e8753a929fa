package org.blockcloset.ledger.model;

import java.util.List;
import java.util.regex.Pattern;

/** S3's general-purpose bucket naming rules: what any way of making a bucket accepts. */
public final class BucketName {
    private static final Pattern SHAPE = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final List<String> BAD_PREFIXES = List.of("xn--", "sthree-", "amzn-s3-demo-");
    private static final List<String> BAD_SUFFIXES = List.of("-s3alias", "--ol-s3", ".mrap", "--x-s3");
    /** The rules, for people. */
    public static final String RULES = "3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit";

    private BucketName() {
    }

    public static boolean valid(String name) {
        return name != null && SHAPE.matcher(name).matches() && !name.contains("..") && !IP.matcher(name).matches()
                && BAD_PREFIXES.stream().noneMatch(name::startsWith) && BAD_SUFFIXES.stream().noneMatch(name::endsWith);
    }
}
