package org.blockcloset.gateway.s3;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.blockcloset.gateway.checksum.ChecksumAlgorithm;
import org.blockcloset.gateway.checksum.Hasher;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.storage.BlockStore;
import org.blockcloset.storage.BlockWriter;
import org.blockcloset.storage.SealedBlock;

/**
 * Streams a request body into blocks, computing the MD5 (the ETag) and any requested checksums on
 * the way. Nothing is held in memory beyond one read buffer. The blocks are durable on return; the
 * caller makes them visible by appending an event, or gives them back with {@link Written#discard()}.
 */
final class BodyWriter {
    private static final int READ_BUFFER = 128 << 10;

    /** What was written: blocks in object order, size, MD5 and checksums of the whole body. */
    record Written(BlockStore store, List<SealedBlock> sealed, long size, byte[] md5,
                   Map<ChecksumAlgorithm, Hasher> checksums) {
        List<BlockRef> blocks() {
            return sealed.stream().map(b -> new BlockRef(b.id().hex(), b.size())).toList();
        }

        /** Gives the blocks back after a failure: unpinned, and deleted unless shared. */
        void discard() {
            store.discard(sealed);
        }

        /** The event referencing the blocks is in the log: garbage collection may judge them now. */
        void release() {
            store.release(sealed);
        }
    }

    private BodyWriter() {
    }

    /**
     * Reads {@code body} to EOF into blocks; {@code expectedSize} (-1 if unknown) only sizes the buffer. Errors reading the body become {@code IncompleteBody};
     * every failure leaves nothing behind.
     */
    static Written write(BlockStore store, InputStream body, Collection<ChecksumAlgorithm> algorithms, long maxSize,
                         long expectedSize) throws IOException {
        MessageDigest md5 = md5();
        Map<ChecksumAlgorithm, Hasher> hashers = new EnumMap<>(ChecksumAlgorithm.class);
        algorithms.forEach(a -> hashers.put(a, a.newHasher()));
        List<SealedBlock> sealed = new ArrayList<>();
        // Small objects dominate request rates: don't allocate 128 KiB to receive 4 KiB.
        byte[] buf = new byte[expectedSize < 0 ? READ_BUFFER : (int) Math.max(1, Math.min(READ_BUFFER, expectedSize))];
        int blockSize = store.maxBlockSize();
        BlockWriter w = null;
        long total = 0;
        boolean done = false;
        try {
            while (true) {
                int n = read(body, buf);
                if (n < 0) {
                    break;
                }
                total += n;
                if (total > maxSize) {
                    throw new S3Exception(S3Error.ENTITY_TOO_LARGE);
                }
                md5.update(buf, 0, n);
                for (Hasher h : hashers.values()) {
                    h.update(buf, 0, n);
                }
                int off = 0;
                while (off < n) {
                    if (w == null) {
                        w = store.newWriter();
                    }
                    int room = (int) Math.min(n - off, blockSize - w.size());
                    w.write(buf, off, room);
                    off += room;
                    if (w.size() == blockSize) {
                        sealed.add(w.seal());
                        w = null;
                    }
                }
            }
            if (w != null && w.size() > 0) {
                sealed.add(w.seal());
                w = null;
            }
            store.awaitDurable(sealed);
            done = true;
            return new Written(store, sealed, total, md5.digest(), hashers);
        } finally {
            if (w != null) {
                w.close();
            }
            if (!done) {
                store.discard(sealed);
            }
        }
    }

    private static int read(InputStream body, byte[] buf) {
        try {
            int n = body.readNBytes(buf, 0, buf.length);
            return n == 0 ? -1 : n;
        } catch (S3Exception e) {
            throw e;
        } catch (IOException e) {
            throw new S3Exception(S3Error.INCOMPLETE_BODY,
                    "The request body ended before the length it announced: " + e.getMessage(), e);
        }
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
