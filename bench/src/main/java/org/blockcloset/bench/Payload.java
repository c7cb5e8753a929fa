package org.blockcloset.bench;

import java.io.InputStream;
import java.util.Random;

/**
 * Object bodies without allocating one array per object: every object is a window onto one shared
 * pre-generated random buffer, with the first 16 bytes of each 4 KiB page overwritten by a stamp
 * (object id, page number).
 *
 * <p>The stamp makes every 4 KiB page of every object distinct, so a content-addressed store cannot
 * deduplicate any block (Block Closet's blocks are 1 MiB, ADR 0003) and every byte really goes to
 * disk. The raw-disk baseline writes exactly the same bytes.
 */
final class Payload {
    static final int PAGE = 4096;
    private static final int STAMP = 16;
    private static final int SHARED_SIZE = 16 << 20;

    private final byte[] shared = new byte[SHARED_SIZE];

    Payload(long seed) {
        new Random(seed).nextBytes(shared);
    }

    /** Copies bytes [offset, offset + len) of object {@code id} into {@code dst}. */
    void fill(long id, long offset, byte[] dst, int dstOff, int len) {
        int done = 0;
        while (done < len) {
            int src = (int) ((offset + done) % SHARED_SIZE);
            int n = Math.min(len - done, SHARED_SIZE - src);
            System.arraycopy(shared, src, dst, dstOff + done, n);
            done += n;
        }
        long end = offset + len;
        for (long page = offset / PAGE; page * PAGE < end; page++) {
            long start = page * PAGE;
            for (int k = 0; k < STAMP; k++) {
                long at = start + k;
                if (at >= offset && at < end) {
                    dst[dstOff + (int) (at - offset)] = stampByte(id, page, k);
                }
            }
        }
    }

    private static byte stampByte(long id, long page, int k) {
        long word = k < 8 ? id : page;
        return (byte) (word >>> (8 * (k & 7)));
    }

    /** A fresh stream of object {@code id}'s {@code size} bytes. */
    InputStream stream(long id, long size) {
        return new InputStream() {
            private long pos;

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
                fill(id, pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, size - pos);
            }
        };
    }
}
