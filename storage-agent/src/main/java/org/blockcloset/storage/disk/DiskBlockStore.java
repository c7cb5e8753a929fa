package org.blockcloset.storage.disk;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.BitSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.HexFormat;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.BlockInfo;
import org.blockcloset.storage.BlockNotFoundException;
import org.blockcloset.storage.BlockStore;
import org.blockcloset.storage.BlockWriter;
import org.blockcloset.storage.CorruptBlockException;
import org.blockcloset.storage.SealedBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlockStore} on a local directory: {@code blocks/<first 2 hex>/<hash>}, temp files in
 * {@code tmp/}. See docs/adr/0003-block-format.md.
 *
 * <p>Invariants: a file under {@code blocks/} is complete, fsync'd, and hashes to its name; the
 * quota's used bytes equal the sizes of those files plus in-flight placements plus writers'
 * reservations; every existence decision (seal's dedupe, delete, discard, GC) for a block is made
 * under its stripe lock, so a block a writer has just deduplicated against cannot be deleted by a
 * decision taken before that touch.
 */
public final class DiskBlockStore implements BlockStore {
    public static final int DEFAULT_MAX_BLOCK_SIZE = 1 << 20;

    private static final Logger log = LoggerFactory.getLogger(DiskBlockStore.class);
    private static final int FAN_OUT = 256;
    private static final int LOCK_STRIPES = 64;
    /**
     * fsyncs in flight at once. A disk's fsync throughput grows with the number of concurrent
     * callers (measured here: ~1,500 file+fsync+rename/s on one stream, ~9,900/s on 16), and the
     * threads mostly sleep in the kernel, so this is sized for concurrency, not for cores.
     */
    private static final int PLACER_THREADS = 16;

    /** Where and how big: {@code capacityBytes} is what the owner lends, blocks included. */
    public record Config(Path directory, long capacityBytes, int maxBlockSize) {
        public Config {
            Objects.requireNonNull(directory, "directory");
            if (capacityBytes < 0 || maxBlockSize <= 0) {
                throw new IllegalArgumentException("capacity must be >= 0 and maxBlockSize > 0");
            }
        }

        public Config(Path directory, long capacityBytes) {
            this(directory, capacityBytes, DEFAULT_MAX_BLOCK_SIZE);
        }
    }

    private final Path blocksDir;
    private final Path tmpDir;
    private final int maxBlockSize;
    private final Quota quota;
    private final FileChannel lockFile;
    private final FileLock dirLock;
    private final Object[] locks = new Object[LOCK_STRIPES];
    /**
     * Per fan-out directory, bumped by every dedupe and every deletion except a creator's discard;
     * guarded by that directory's stripe lock. See {@link #discard}.
     */
    private final long[] generations = new long[FAN_OUT];
    private final DirSyncer[] syncers = new DirSyncer[FAN_OUT];
    /** Created blocks sealed but not yet renamed into place; entries leave only after the rename. */
    private final Map<BlockId, Placement> inFlight = new ConcurrentHashMap<>();
    private final ExecutorService placer;
    private volatile boolean closed;

    private DiskBlockStore(Config config, FileChannel lockFile, FileLock dirLock, long used) {
        this.blocksDir = config.directory().resolve("blocks");
        this.tmpDir = config.directory().resolve("tmp");
        this.maxBlockSize = config.maxBlockSize();
        this.quota = new Quota(config.capacityBytes(), used);
        this.lockFile = lockFile;
        this.dirLock = dirLock;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new Object();
        }
        for (int i = 0; i < FAN_OUT; i++) {
            syncers[i] = new DirSyncer(blocksDir.resolve(fanOutName(i)));
        }
        AtomicInteger threads = new AtomicInteger();
        this.placer = Executors.newFixedThreadPool(PLACER_THREADS, r -> {
            Thread t = new Thread(r, "block-placer-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens (creating if needed) a store; one open store at a time may hold a directory. */
    public static DiskBlockStore open(Config config) throws IOException {
        Path root = config.directory();
        Path blocks = root.resolve("blocks");
        Path tmp = root.resolve("tmp");
        Files.createDirectories(blocks);
        Files.createDirectories(tmp);
        FileChannel lockFile = FileChannel.open(root.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock dirLock;
        try {
            dirLock = lockFile.tryLock();
        } catch (OverlappingFileLockException e) {
            dirLock = null; // held by another store in this JVM
        } catch (IOException | RuntimeException e) {
            lockFile.close();
            throw e;
        }
        if (dirLock == null) {
            lockFile.close();
            throw new IOException("block store directory already in use: " + root);
        }
        try {
            for (int i = 0; i < FAN_OUT; i++) {
                Files.createDirectories(blocks.resolve(fanOutName(i)));
            }
            DirSyncer.fsyncDirectory(blocks);
            DirSyncer.fsyncDirectory(root);
            long tempsRemoved = cleanDirectory(tmp);
            LongSummaryStatistics stats;
            try (Stream<BlockInfo> all = listBlocks(blocks)) {
                stats = all.mapToLong(BlockInfo::size).summaryStatistics();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            log.info("Opened block store {}: {} blocks, {} bytes used of {}, {} stale temp files removed",
                    root, stats.getCount(), stats.getSum(), config.capacityBytes(), tempsRemoved);
            return new DiskBlockStore(config, lockFile, dirLock, stats.getSum());
        } catch (IOException | RuntimeException e) {
            lockFile.close();
            throw e;
        }
    }

    /**
     * Blocks sealed by requests whose event is not yet in the log. GC never deletes a pinned block,
     * however slow the request, so a block cannot vanish between its write and its first reference.
     */
    private final java.util.concurrent.ConcurrentHashMap<BlockId, Integer> pins = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public int maxBlockSize() {
        return maxBlockSize;
    }

    @Override
    public BlockWriter newWriter() throws IOException {
        ensureOpen();
        Path temp = tmpDir.resolve(UUID.randomUUID() + ".tmp");
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new DiskBlockWriter(this, quota, temp, channel);
    }

    /**
     * Called by a writer's seal. On success the store owns the temp file, the channel and the
     * reservation; on failure the writer still does.
     */
    SealedBlock place(BlockId id, long size, long reserved, Path temp, FileChannel channel) throws IOException {
        ensureOpen();
        int dir = fanOut(id);
        Path target = pathOf(id);
        Placement existing;
        synchronized (lockFor(dir)) {
            existing = inFlight.get(id);
            boolean exists = existing == null && touch(target);
            // Pinned only once touch succeeded, so a failing touch leaves no pin behind.
            pins.merge(id, 1, Integer::sum);
            if (existing == null && !exists) {
                Placement placement = new Placement(generations[dir]);
                inFlight.put(id, placement);
                try {
                    placer.execute(() -> finishPlacement(id, size, temp, channel, target, placement));
                } catch (RejectedExecutionException e) {
                    inFlight.remove(id);
                    unpin(id);
                    throw new IOException("block store closed", e);
                }
                quota.release(reserved - size);
                return new SealedBlock(id, size, true, placement);
            }
            generations[dir]++;
        }
        closeAndDelete(channel, temp);
        quota.release(reserved);
        CompletableFuture<Void> placed = existing == null ? CompletableFuture.completedFuture(null) : existing.copy();
        return new SealedBlock(id, size, false, placed);
    }

    /** Sets the block's mtime to now so GC's grace restarts; false if it does not exist. */
    private static boolean touch(Path target) throws IOException {
        try {
            Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private void finishPlacement(BlockId id, long size, Path temp, FileChannel channel, Path target, Placement placement) {
        try {
            try (channel) {
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            inFlight.remove(id, placement);
            placement.complete(null);
        } catch (Throwable e) {
            closeAndDelete(channel, temp);
            quota.release(size);
            inFlight.remove(id, placement);
            log.warn("Failed to place block {}", id, e);
            placement.completeExceptionally(e);
        }
    }

    @Override
    public void awaitDurable(Collection<SealedBlock> blocks) throws IOException {
        BitSet dirs = new BitSet(FAN_OUT);
        for (SealedBlock block : blocks) {
            awaitPlaced(block);
            dirs.set(fanOut(block.id()));
        }
        for (int dir = dirs.nextSetBit(0); dir >= 0; dir = dirs.nextSetBit(dir + 1)) {
            syncers[dir].sync();
        }
    }

    private static void awaitPlaced(SealedBlock block) throws IOException {
        try {
            block.placed().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted awaiting placement of block " + block.id());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("placement of block " + block.id() + " failed", e.getCause());
        }
    }

    @Override
    public void read(BlockId id, ByteBuffer dst) throws IOException {
        dst.clear();
        try (FileChannel channel = FileChannel.open(pathOf(id), StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > dst.capacity()) {
                throw new IllegalArgumentException("block " + id + " has " + size + " bytes, buffer holds " + dst.capacity());
            }
            dst.limit((int) size);
            while (dst.hasRemaining() && channel.read(dst) >= 0) {
                // reads until the block's bytes are in or the file turns out shorter
            }
        } catch (NoSuchFileException e) {
            throw new BlockNotFoundException(id);
        }
        dst.flip();
        MessageDigest digest = DiskBlockWriter.sha256();
        digest.update(dst.duplicate());
        if (!MessageDigest.isEqual(digest.digest(), HexFormat.of().parseHex(id.hex()))) {
            int length = dst.limit();
            dst.limit(0);
            log.warn("Corrupt block {}: {} bytes on disk do not hash to its id", id, length);
            throw new CorruptBlockException(id, "SHA-256 mismatch over " + length + " bytes");
        }
    }

    @Override
    public boolean has(BlockId id) {
        return Files.isRegularFile(pathOf(id));
    }

    @Override
    public long size(BlockId id) {
        try {
            return Files.size(pathOf(id));
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public boolean delete(BlockId id) throws IOException {
        return deleteIfUntouchedSince(id, Instant.MAX);
    }

    @Override
    public boolean deleteIfUntouchedSince(BlockId id, Instant cutoff) throws IOException {
        int dir = fanOut(id);
        synchronized (lockFor(dir)) {
            if (!deleteLocked(id, cutoff)) {
                return false;
            }
            generations[dir]++;
            return true;
        }
    }

    /** Caller holds the block's stripe lock. */
    private boolean deleteLocked(BlockId id, Instant cutoff) throws IOException {
        if (pins.containsKey(id)) {
            return false;
        }
        Path path = pathOf(id);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (!attributes.lastModifiedTime().toInstant().isBefore(cutoff)) {
            return false;
        }
        Files.delete(path);
        quota.release(attributes.size());
        return true;
    }

    /**
     * Deletes a created block only if its directory's generation is unchanged since its seal: then
     * no writer deduplicated against it and the file on disk is still the one this writer created.
     */
    @Override
    public void discard(Collection<SealedBlock> blocks) {
        release(blocks);
        for (SealedBlock block : blocks) {
            if (!block.created() || !(block.placed() instanceof Placement placement)) {
                continue;
            }
            try {
                awaitPlaced(block);
            } catch (IOException e) {
                continue; // a failed placement already removed its file and released its space
            }
            int dir = fanOut(block.id());
            synchronized (lockFor(dir)) {
                if (generations[dir] != placement.generationAtSeal) {
                    log.debug("Keeping discarded block {} for GC: its directory changed since it was sealed", block.id());
                    continue;
                }
                try {
                    deleteLocked(block.id(), Instant.MAX);
                } catch (IOException e) {
                    log.warn("Could not discard block {}; garbage collection will retry", block.id(), e);
                }
            }
        }
    }

    @Override
    public List<SealedBlock> retain(Collection<BlockId> ids) throws IOException {
        ensureOpen();
        List<SealedBlock> retained = new ArrayList<>(ids.size());
        for (BlockId id : ids) {
            boolean present;
            synchronized (lockFor(fanOut(id))) {
                long size = size(id);
                present = size >= 0 || inFlight.containsKey(id);
                if (present) {
                    pins.merge(id, 1, Integer::sum);
                    retained.add(new SealedBlock(id, Math.max(size, 0), false, CompletableFuture.completedFuture(null)));
                }
            }
            if (!present) {
                release(retained); // outside the stripe lock: release takes other stripes' locks
                throw new BlockNotFoundException(id);
            }
        }
        return retained;
    }

    @Override
    public void release(Collection<SealedBlock> blocks) {
        for (SealedBlock block : blocks) {
            synchronized (lockFor(fanOut(block.id()))) {
                unpin(block.id());
            }
        }
    }

    /** Caller holds the block's stripe lock (or the block was never visible). */
    private void unpin(BlockId id) {
        pins.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
    }

    /** Lazily lists {@code blocks/}; I/O failures surface as {@link UncheckedIOException}. */
    @Override
    public Stream<BlockInfo> list() throws IOException {
        ensureOpen();
        return listBlocks(blocksDir);
    }

    @Override
    public long capacity() {
        return quota.capacity();
    }

    /** Lends another amount from now on (a capacity changed through the admin API takes effect without a restart). */
    public void capacity(long bytes) {
        long before = quota.capacity();
        quota.capacity(bytes);
        if (before != bytes) {
            log.info("Block store capacity {} -> {} bytes", before, bytes);
        }
    }

    @Override
    public long used() {
        return quota.used();
    }

    /** Waits for in-flight placements to finish, then releases the directory. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        placer.shutdown();
        try {
            while (!placer.awaitTermination(10, TimeUnit.SECONDS)) {
                log.info("Waiting for {} block placements to finish", inFlight.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            dirLock.release();
            lockFile.close();
        }
    }

    Path pathOf(BlockId id) {
        return blocksDir.resolve(id.hex().substring(0, 2)).resolve(id.hex());
    }

    static void closeAndDelete(FileChannel channel, Path temp) {
        try {
            channel.close();
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            log.warn("Could not remove temp file {}; it goes at next open", temp, e);
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("block store closed");
        }
    }

    private Object lockFor(int dir) {
        return locks[dir % LOCK_STRIPES];
    }

    private static int fanOut(BlockId id) {
        return Integer.parseInt(id.hex(), 0, 2, 16);
    }

    private static String fanOutName(int dir) {
        return HexFormat.of().toHexDigits((byte) dir);
    }

    private static Stream<BlockInfo> listBlocks(Path blocksDir) {
        return IntStream.range(0, FAN_OUT)
                .mapToObj(i -> blocksDir.resolve(fanOutName(i)))
                .flatMap(DiskBlockStore::listDirectory)
                .map(DiskBlockStore::infoOrNull)
                .filter(Objects::nonNull);
    }

    private static Stream<Path> listDirectory(Path dir) {
        try {
            return Files.list(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Null for files that are not blocks (wrong name or directory) or vanished meanwhile. */
    private static BlockInfo infoOrNull(Path file) {
        String name = file.getFileName().toString();
        if (name.length() != 64 || !name.startsWith(file.getParent().getFileName().toString())) {
            return null;
        }
        BlockId id;
        try {
            id = new BlockId(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.isRegularFile()
                    ? new BlockInfo(id, attributes.size(), attributes.lastModifiedTime().toInstant())
                    : null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long cleanDirectory(Path dir) throws IOException {
        long removed = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return removed;
    }
}
