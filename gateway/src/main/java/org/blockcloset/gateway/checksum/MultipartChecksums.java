package org.blockcloset.gateway.checksum;

import java.util.Base64;
import java.util.List;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;

/** Whole-object checksums of multipart uploads, computed from the part checksums alone. */
public final class MultipartChecksums {
    private static final long CRC32_POLY = 0xEDB88320L;
    private static final long CRC32C_POLY = 0x82F63B78L;

    /** One part's binary checksum ({@link Hasher#digest()}) and its length in bytes. */
    public record Part(byte[] digest, long length) {
    }

    private MultipartChecksums() {
    }

    /**
     * COMPOSITE: the algorithm over the concatenated binary part checksums, base64, then
     * {@code -N}. CRC64NVME is FULL_OBJECT only, as in S3.
     */
    public static String composite(ChecksumAlgorithm algorithm, List<byte[]> partDigests) {
        if (algorithm == ChecksumAlgorithm.CRC64NVME) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "The CRC64NVME checksum only supports the FULL_OBJECT checksum type.");
        }
        Hasher hasher = algorithm.newHasher();
        for (byte[] digest : partDigests) {
            hasher.update(digest);
        }
        return hasher.base64() + "-" + partDigests.size();
    }

    /**
     * FULL_OBJECT: the CRC of the concatenated part contents, base64, derived by CRC combination
     * (equal to hashing the whole object in one pass). CRC algorithms only.
     */
    public static String fullObject(ChecksumAlgorithm algorithm, List<Part> parts) {
        int width = algorithm.digestLength() * 8;
        long poly = switch (algorithm) {
            case CRC32 -> CRC32_POLY;
            case CRC32C -> CRC32C_POLY;
            case CRC64NVME -> Crc64Nvme.POLY;
            default -> throw new S3Exception(S3Error.INVALID_REQUEST,
                    "The FULL_OBJECT checksum type requires CRC32, CRC32C or CRC64NVME, not " + algorithm + ".");
        };
        long combined = CrcHasher.fromBytes(algorithm.newHasher().digest());
        for (Part part : parts) {
            combined = combine(combined, CrcHasher.fromBytes(part.digest()), part.length(), poly, width);
        }
        return Base64.getEncoder().encodeToString(CrcHasher.toBytes(combined, algorithm.digestLength()));
    }

    /**
     * crc(A || B) from crc(A), crc(B) and |B| (zlib's crc32_combine, generalised to any reflected
     * CRC whose init equals its xorout): crc(A) · x^(8|B|) mod P, xor crc(B).
     */
    static long combine(long crcA, long crcB, long lengthB, long poly, int width) {
        return multiplyModP(xPow8n(lengthB, poly, width), crcA, poly, width) ^ crcB;
    }

    /** a·b mod P, both reflected polynomials of the given width. */
    private static long multiplyModP(long a, long b, long poly, int width) {
        long m = 1L << (width - 1);
        long product = 0;
        while (a != 0) {
            if ((a & m) != 0) {
                product ^= b;
                a ^= m;
            }
            m >>>= 1;
            b = (b & 1) != 0 ? (b >>> 1) ^ poly : b >>> 1;
        }
        return product;
    }

    /** x^(8n) mod P by square-and-multiply over x^(2^k). */
    private static long xPow8n(long n, long poly, int width) {
        long result = 1L << (width - 1);           // x^0; bit (width-1-k) holds x^k
        long square = 1L << (width - 9);           // x^8
        while (n != 0) {
            if ((n & 1) != 0) {
                result = multiplyModP(square, result, poly, width);
            }
            square = multiplyModP(square, square, poly, width);
            n >>>= 1;
        }
        return result;
    }
}
