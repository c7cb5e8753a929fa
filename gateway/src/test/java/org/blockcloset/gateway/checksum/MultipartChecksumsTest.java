package org.blockcloset.gateway.checksum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;
import org.junit.jupiter.api.Test;

class MultipartChecksumsTest {
    private static final Random RANDOM = new Random(1);

    private static byte[] digest(ChecksumAlgorithm a, byte[] data) {
        Hasher h = a.newHasher();
        h.update(data);
        return h.digest();
    }

    @Test
    void compositeIsChecksumOfPartChecksumsWithPartCount() {
        byte[] p1 = "part one".getBytes();
        byte[] p2 = "part two".getBytes();
        byte[] d1 = digest(ChecksumAlgorithm.CRC32, p1);
        byte[] d2 = digest(ChecksumAlgorithm.CRC32, p2);
        CRC32 crc = new CRC32();
        crc.update(d1);
        crc.update(d2);
        byte[] expected = {(byte) (crc.getValue() >>> 24), (byte) (crc.getValue() >>> 16), (byte) (crc.getValue() >>> 8), (byte) crc.getValue()};
        assertEquals(Base64.getEncoder().encodeToString(expected) + "-2", MultipartChecksums.composite(ChecksumAlgorithm.CRC32, List.of(d1, d2)));
        S3Exception e = assertThrows(S3Exception.class, () -> MultipartChecksums.composite(ChecksumAlgorithm.CRC64NVME, List.of(d1)));
        assertEquals(S3Error.INVALID_REQUEST, e.error());
    }

    @Test
    void fullObjectEqualsCrcOfWholeObject() {
        for (ChecksumAlgorithm a : new ChecksumAlgorithm[] {ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.CRC64NVME}) {
            for (int[] sizes : new int[][] {{1}, {5, 0, 3}, {100_000, 12_345, 1}, {0}, {7, 70_000}}) {
                ByteArrayOutputStream whole = new ByteArrayOutputStream();
                List<MultipartChecksums.Part> parts = new ArrayList<>();
                for (int size : sizes) {
                    byte[] part = new byte[size];
                    RANDOM.nextBytes(part);
                    whole.writeBytes(part);
                    parts.add(new MultipartChecksums.Part(digest(a, part), size));
                }
                assertEquals(Base64.getEncoder().encodeToString(digest(a, whole.toByteArray())),
                        MultipartChecksums.fullObject(a, parts), a + " " + Arrays.toString(sizes));
            }
        }
        S3Exception e = assertThrows(S3Exception.class, () -> MultipartChecksums.fullObject(ChecksumAlgorithm.SHA256, List.of()));
        assertEquals(S3Error.INVALID_REQUEST, e.error());
    }
}
