package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Object bytes stream through the node, never buffered whole: a 1 GiB single PUT and its GET go
 * through a node whose heap is 160 MiB (the broker, the views and Jetty live in it too).
 */
class LargeObjectIT {
    private static final long SIZE = 1L << 30;

    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension(Map.of("NODE_HEAP", "160m"));

    @BeforeAll
    static void start() throws Exception {
        NODE.s3().createBucket(b -> b.bucket("large"));
    }

    /** A deterministic, non-repeating stream of {@code size} bytes (no block deduplicates). */
    static InputStream generated(long size) {
        return new InputStream() {
            private long pos;
            private long state = 0x9E3779B97F4A7C15L;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - pos);
                for (int i = 0; i < n; i++) {
                    state ^= state << 13;
                    state ^= state >>> 7;
                    state ^= state << 17;
                    b[off + i] = (byte) state;
                }
                pos += n;
                return n;
            }
        };
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    @Test
    void oneGibPutAndGetStreamThroughASmallHeap() throws Exception {
        String expected = sha256(generated(SIZE));
        NODE.s3().putObject(p -> p.bucket("large").key("big.bin"),
                RequestBody.fromContentProvider(() -> generated(SIZE), SIZE, "application/octet-stream"));
        assertEquals(SIZE, NODE.s3().headObject(h -> h.bucket("large").key("big.bin")).contentLength());
        assertEquals(expected, sha256(NODE.s3().getObject(g -> g.bucket("large").key("big.bin"))));
    }
}
