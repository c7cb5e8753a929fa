package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import java.util.List;

/** An inclusive byte range of an object, from a Range header or a part number. */
record ByteRange(long first, long last) {
    long length() {
        return last - first + 1;
    }

    /** Parses {@code bytes=a-b | a- | -n}; null means "the whole object" (absent or unparseable, as S3 ignores those). */
    static ByteRange parse(String header, long size) {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return null;
        }
        String spec = header.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) {
                long n = Long.parseLong(b);
                if (n <= 0 || size == 0) {
                    throw unsatisfiable(size);
                }
                return new ByteRange(Math.max(0, size - n), size - 1);
            }
            long first = Long.parseLong(a);
            // An open end ("a-") must not become size - 1 before the check: "bytes=999-" on a
            // 10-byte object is unsatisfiable (416), not a malformed range to ignore.
            long last = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
            if (last < first) {
                return null;
            }
            if (first >= size) {
                throw unsatisfiable(size);
            }
            return new ByteRange(first, Math.min(last, size - 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The range of part {@code partNumber} of a multipart object (a single PUT is one part). */
    static ByteRange ofPart(int partNumber, List<Long> partSizes, long size) {
        int parts = partSizes == null ? 1 : partSizes.size();
        if (partNumber < 1 || partNumber > parts) {
            throw new S3Exception(S3Error.INVALID_PART_NUMBER).with("ActualObjectSize", Long.toString(size));
        }
        if (partSizes == null) {
            return size == 0 ? null : new ByteRange(0, size - 1);
        }
        long first = 0;
        for (int i = 0; i < partNumber - 1; i++) {
            first += partSizes.get(i);
        }
        return new ByteRange(first, first + partSizes.get(partNumber - 1) - 1);
    }

    static S3Exception unsatisfiable(long size) {
        return new S3Exception(S3Error.INVALID_RANGE).with("ActualObjectSize", Long.toString(size));
    }
}
