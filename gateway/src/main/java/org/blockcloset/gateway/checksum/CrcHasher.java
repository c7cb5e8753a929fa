package org.blockcloset.gateway.checksum;

import java.util.zip.Checksum;

/** A {@link Hasher} over a {@link Checksum}; the digest is the value's low bytes, big-endian. */
final class CrcHasher implements Hasher {
    private final Checksum crc;
    private final int width;
    private byte[] digest;

    CrcHasher(Checksum crc, int widthBytes) {
        this.crc = crc;
        this.width = widthBytes;
    }

    @Override
    public void update(byte[] b, int off, int len) {
        if (digest != null) {
            throw new IllegalStateException("hasher already finished");
        }
        crc.update(b, off, len);
    }

    @Override
    public byte[] digest() {
        if (digest == null) {
            digest = toBytes(crc.getValue(), width);
        }
        return digest.clone();
    }

    static byte[] toBytes(long value, int width) {
        byte[] out = new byte[width];
        for (int i = width - 1; i >= 0; i--) {
            out[i] = (byte) value;
            value >>>= 8;
        }
        return out;
    }

    static long fromBytes(byte[] bytes) {
        long value = 0;
        for (byte b : bytes) {
            value = value << 8 | (b & 0xFF);
        }
        return value;
    }
}
