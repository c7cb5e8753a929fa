package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import java.util.List;
import java.util.regex.Pattern;

/** S3's general-purpose bucket naming rules. */
public final class BucketNames {
    private static final Pattern SHAPE = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final List<String> BAD_PREFIXES = List.of("xn--", "sthree-", "amzn-s3-demo-");
    private static final List<String> BAD_SUFFIXES = List.of("-s3alias", "--ol-s3", ".mrap", "--x-s3");

    private BucketNames() {
    }

    public static boolean valid(String name) {
        return name != null && SHAPE.matcher(name).matches() && !name.contains("..") && !IP.matcher(name).matches()
                && BAD_PREFIXES.stream().noneMatch(name::startsWith) && BAD_SUFFIXES.stream().noneMatch(name::endsWith);
    }

    static void check(String name) {
        if (!valid(name)) {
            throw new S3Exception(S3Error.INVALID_BUCKET_NAME, "The specified bucket is not valid: " + name);
        }
    }
}
