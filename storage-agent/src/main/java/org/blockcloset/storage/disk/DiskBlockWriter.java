package org.blockcloset.storage.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.BlockWriter;
import org.blockcloset.storage.SealedBlock;

/**
 * Invariants while open: {@code reserved >= size}, the quota holds {@code reserved} bytes for this
 * writer, and the temp file holds exactly the {@code size} bytes fed to {@code digest}. Once
 * sealed or closed, the writer owns neither the temp file nor any reservation.
 */
final class DiskBlockWriter implements BlockWriter {
    /** Reservation granularity, so that the quota is not contended on every small write. */
    static final int RESERVE_CHUNK = 64 * 1024;

    private final DiskBlockStore store;
    private final Quota quota;
    private final Path temp;
    private final FileChannel channel;
    private final MessageDigest digest;
    private long size;
    private long reserved;
    private boolean done;

    DiskBlockWriter(DiskBlockStore store, Quota quota, Path temp, FileChannel channel) {
        this.store = store;
        this.quota = quota;
        this.temp = temp;
        this.channel = channel;
        this.digest = sha256();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (size + len > store.maxBlockSize()) {
            throw new IllegalStateException(
                    "block would grow to " + (size + len) + " bytes, max is " + store.maxBlockSize());
        }
        reserveUpTo(size + len);
        ByteBuffer src = ByteBuffer.wrap(b, off, len);
        try {
            while (src.hasRemaining()) {
                channel.write(src);
            }
        } catch (IOException | RuntimeException e) {
            close(); // the temp file may now hold bytes the digest has not seen
            throw e;
        }
        digest.update(b, off, len);
        size += len;
    }

    /** Takes a whole chunk when the quota allows it, else exactly what is needed. */
    private void reserveUpTo(long target) throws IOException {
        if (target <= reserved) {
            return;
        }
        long needed = target - reserved;
        long chunk = Math.min(Math.max(needed, RESERVE_CHUNK), store.maxBlockSize() - reserved);
        try {
            quota.reserve(chunk);
            reserved += chunk;
        } catch (IOException e) {
            if (chunk == needed) {
                throw e;
            }
            quota.reserve(needed);
            reserved += needed;
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public SealedBlock seal() throws IOException {
        ensureOpen();
        BlockId id = BlockId.ofDigest(digest.digest());
        SealedBlock sealed;
        try {
            sealed = store.place(id, size, reserved, temp, channel);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        done = true;
        return sealed;
    }

    @Override
    public void close() {
        if (done) {
            return;
        }
        done = true;
        DiskBlockStore.closeAndDelete(channel, temp);
        quota.release(reserved);
    }

    private void ensureOpen() {
        if (done) {
            throw new IllegalStateException("writer already sealed or closed");
        }
    }
}
