package org.blockcloset.gateway.checksum;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/** The S3 additional-checksum algorithms and their {@code x-amz-checksum-*} headers. */
public enum ChecksumAlgorithm {
    CRC32(4),
    CRC32C(4),
    CRC64NVME(8),
    SHA1(20),
    SHA256(32);

    private final int digestLength;
    private final String headerName;

    ChecksumAlgorithm(int digestLength) {
        this.digestLength = digestLength;
        this.headerName = "x-amz-checksum-" + name().toLowerCase(Locale.ROOT);
    }

    /** Lower-case header name, e.g. {@code x-amz-checksum-crc32}. */
    public String headerName() {
        return headerName;
    }

    /** Length in bytes of {@link Hasher#digest()}. */
    public int digestLength() {
        return digestLength;
    }

    /** True for the CRCs, which S3 can combine into FULL_OBJECT multipart checksums. */
    public boolean isCrc() {
        return this == CRC32 || this == CRC32C || this == CRC64NVME;
    }

    /** Matches {@code x-amz-checksum-crc32} etc., ignoring case. */
    public static Optional<ChecksumAlgorithm> fromHeaderName(String name) {
        for (ChecksumAlgorithm a : values()) {
            if (a.headerName.equalsIgnoreCase(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Matches {@code CRC32}, {@code crc64nvme} etc. as in {@code x-amz-sdk-checksum-algorithm}. */
    public static Optional<ChecksumAlgorithm> fromName(String name) {
        for (ChecksumAlgorithm a : values()) {
            if (a.name().equalsIgnoreCase(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public Hasher newHasher() {
        return switch (this) {
            case CRC32 -> new CrcHasher(new CRC32(), 4);
            case CRC32C -> new CrcHasher(new CRC32C(), 4);
            case CRC64NVME -> new CrcHasher(new Crc64Nvme(), 8);
            case SHA1 -> new DigestHasher(messageDigest("SHA-1"));
            case SHA256 -> new DigestHasher(messageDigest("SHA-256"));
        };
    }

    private static MessageDigest messageDigest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(name + " unavailable", e);
        }
    }
}
