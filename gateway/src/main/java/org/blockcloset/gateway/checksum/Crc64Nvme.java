package org.blockcloset.gateway.checksum;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.zip.Checksum;

/**
 * CRC-64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5, init and xorout all ones;
 * check("123456789") = 0xAE8B14860A799888. Slice-by-8.
 */
public final class Crc64Nvme implements Checksum {
    static final long POLY = 0x9A6C9329AC4BC9B5L;
    private static final long[][] TABLE = new long[8][256];
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY : crc >>> 1;
            }
            TABLE[0][i] = crc;
        }
        for (int k = 1; k < 8; k++) {
            for (int i = 0; i < 256; i++) {
                long prev = TABLE[k - 1][i];
                TABLE[k][i] = (prev >>> 8) ^ TABLE[0][(int) (prev & 0xFF)];
            }
        }
    }

    /** The register, pre-inverted (holds ~crc). */
    private long state = -1L;

    @Override
    public void update(int b) {
        state = (state >>> 8) ^ TABLE[0][(int) ((state ^ b) & 0xFF)];
    }

    @Override
    public void update(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        long crc = state;
        long[] t0 = TABLE[0], t1 = TABLE[1], t2 = TABLE[2], t3 = TABLE[3];
        long[] t4 = TABLE[4], t5 = TABLE[5], t6 = TABLE[6], t7 = TABLE[7];
        int end = off + len;
        for (; off + 8 <= end; off += 8) {
            crc ^= (long) LONG_LE.get(b, off);
            crc = t7[(int) (crc & 0xFF)] ^ t6[(int) ((crc >>> 8) & 0xFF)]
                    ^ t5[(int) ((crc >>> 16) & 0xFF)] ^ t4[(int) ((crc >>> 24) & 0xFF)]
                    ^ t3[(int) ((crc >>> 32) & 0xFF)] ^ t2[(int) ((crc >>> 40) & 0xFF)]
                    ^ t1[(int) ((crc >>> 48) & 0xFF)] ^ t0[(int) (crc >>> 56)];
        }
        for (; off < end; off++) {
            crc = (crc >>> 8) ^ t0[(int) ((crc ^ b[off]) & 0xFF)];
        }
        state = crc;
    }

    @Override
    public long getValue() {
        return ~state;
    }

    @Override
    public void reset() {
        state = -1L;
    }
}
