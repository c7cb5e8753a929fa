package org.blockcloset.gateway.checksum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.checksums.SdkChecksum;

class ChecksumAlgorithmTest {
    private static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HELLO = "hello world".getBytes(StandardCharsets.US_ASCII);

    private static byte[] digest(ChecksumAlgorithm algorithm, byte[] data) {
        Hasher h = algorithm.newHasher();
        h.update(data, 0, data.length);
        return h.digest();
    }

    private static long value(byte[] digest) {
        return digest.length == 4 ? ByteBuffer.wrap(digest).getInt() & 0xFFFFFFFFL : ByteBuffer.wrap(digest).getLong();
    }

    @Test
    void crcCheckValues() {
        assertEquals(0xCBF43926L, value(digest(ChecksumAlgorithm.CRC32, CHECK)));
        assertEquals(0xE3069283L, value(digest(ChecksumAlgorithm.CRC32C, CHECK)));
        assertEquals(0xAE8B14860A799888L, value(digest(ChecksumAlgorithm.CRC64NVME, CHECK)));
    }

    @Test
    void crc64NvmeSliceBy8MatchesBitwiseReferenceAtEveryAlignment() {
        byte[] data = new byte[1000];
        new Random(7).nextBytes(data);
        for (int off = 0; off < 9; off++) {
            for (int len : new int[] {0, 1, 7, 8, 9, 15, 16, 17, 100, 991 - off}) {
                Crc64Nvme crc = new Crc64Nvme();
                crc.update(data, off, len);
                assertEquals(bitwiseCrc64Nvme(data, off, len), crc.getValue(), "off=" + off + " len=" + len);
            }
        }
        Crc64Nvme split = new Crc64Nvme();
        split.update(data, 0, 333);
        for (int i = 333; i < 340; i++) {
            split.update(data[i]);
        }
        split.update(data, 340, 660);
        assertEquals(bitwiseCrc64Nvme(data, 0, 1000), split.getValue());
    }

    private static long bitwiseCrc64Nvme(byte[] data, int off, int len) {
        long crc = -1L;
        for (int i = off; i < off + len; i++) {
            crc ^= data[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x9A6C9329AC4BC9B5L : crc >>> 1;
            }
        }
        return ~crc;
    }

    @Test
    void matchesTheSdkAndTheJdk() throws Exception {
        assertEquals(sdkBase64(DefaultChecksumAlgorithm.CRC32, HELLO), base64(ChecksumAlgorithm.CRC32, HELLO));
        assertEquals("DUoRhQ==", base64(ChecksumAlgorithm.CRC32, HELLO));
        assertEquals(sdkBase64(DefaultChecksumAlgorithm.CRC32C, HELLO), base64(ChecksumAlgorithm.CRC32C, HELLO));
        assertEquals(sdkBase64(DefaultChecksumAlgorithm.SHA1, HELLO), base64(ChecksumAlgorithm.SHA1, HELLO));
        assertEquals(sdkBase64(DefaultChecksumAlgorithm.SHA256, HELLO), base64(ChecksumAlgorithm.SHA256, HELLO));
        CRC32C jdk = new CRC32C();
        jdk.update(HELLO);
        assertEquals(jdk.getValue(), value(digest(ChecksumAlgorithm.CRC32C, HELLO)));
        assertArrayEquals(MessageDigest.getInstance("SHA-1").digest(HELLO), digest(ChecksumAlgorithm.SHA1, HELLO));
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(HELLO), digest(ChecksumAlgorithm.SHA256, HELLO));
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            assertEquals(a.digestLength(), digest(a, HELLO).length);
        }
    }

    @Test
    void hasherIsFinishedByDigest() {
        Hasher h = ChecksumAlgorithm.SHA256.newHasher();
        h.update(HELLO);
        assertEquals(Base64.getEncoder().encodeToString(h.digest()), h.base64());
        assertThrows(IllegalStateException.class, () -> h.update(HELLO));
    }

    @Test
    void namesAndHeaders() {
        assertEquals("x-amz-checksum-crc64nvme", ChecksumAlgorithm.CRC64NVME.headerName());
        assertEquals(Optional.of(ChecksumAlgorithm.CRC32C), ChecksumAlgorithm.fromHeaderName("X-Amz-Checksum-CRC32C"));
        assertEquals(Optional.of(ChecksumAlgorithm.SHA1), ChecksumAlgorithm.fromName("sha1"));
        assertEquals(Optional.of(ChecksumAlgorithm.CRC32), ChecksumAlgorithm.fromName("CRC32"));
        assertTrue(ChecksumAlgorithm.fromName("MD5").isEmpty());
        assertTrue(ChecksumAlgorithm.fromHeaderName("x-amz-checksum-type").isEmpty());
    }

    private static String base64(ChecksumAlgorithm a, byte[] data) {
        return Base64.getEncoder().encodeToString(digest(a, data));
    }

    private static String sdkBase64(software.amazon.awssdk.checksums.spi.ChecksumAlgorithm a, byte[] data) {
        SdkChecksum c = SdkChecksum.forAlgorithm(a);
        c.update(data, 0, data.length);
        return Base64.getEncoder().encodeToString(c.getChecksumBytes());
    }
}
