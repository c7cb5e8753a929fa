package org.blockcloset.ledger.view;

/** Names of the Streams state stores the views are made of. */
public final class StoreNames {
    public static final String BUCKETS = "buckets";
    /** bucket → BucketStats; {@link #STATS_READY} marks a store that counted every object (absent in older state). */
    public static final String BUCKET_STATS = "bucket-stats";
    /** Not a bucket name (they never hold '~'). */
    public static final String STATS_READY = "~ready";
    /** Marks a store that counted the parts of every pending upload (absent in state made before). */
    public static final String PARTS_COUNTED = "~parts";
    /** {@code bucket/key} → current ObjectVersion; iterated in key order for listings. */
    public static final String OBJECTS = "objects";
    /**
     * {@code bucket/key\0<16 hex>} → ObjectVersion (or delete marker), every version of every key of a
     * bucket whose versioning was ever set; the hex is Long.MAX_VALUE minus the log offset of the event
     * that made the version, so a key's versions sort newest first, and for versions with an S3 id it
     * is that id. {@link #OLDEST} marks the null version an object had when versioning was enabled.
     */
    public static final String VERSIONS = "versions";
    public static final String OLDEST = "ffffffffffffffff";
    /** {@code bucket/key\0uploadId} → Upload. */
    public static final String UPLOADS = "uploads";
    /** {@code uploadId/00001} → Part. */
    public static final String PARTS = "parts";
    /** block id → number of references from objects and parts; absent means unreferenced. */
    public static final String BLOCK_REFS = "block-refs";
    public static final String ACCESS_KEYS = "access-keys";
    /** node id → ClusterNode. */
    public static final String MEMBERS = "members";
    /** {@link #CURRENT} → the current Layout. */
    public static final String LAYOUT = "layout";
    public static final String CURRENT = "current";
    /** block id (hex) → the nodes that may lack a copy of it (BlocksUnderReplicated), until repaired. */
    public static final String UNDER_REPLICATED = "under-replicated";
    /** token id → JoinToken. */
    public static final String JOIN_TOKENS = "join-tokens";
    /** {@link #CURRENT} → ConsoleSettings, once the console is set up. */
    public static final String CONSOLE = "console";
    /**
     * {@code <signature date>/<signature hash>} → the admin key that made it: the signed admin calls
     * accepted within the last {@link #ADMIN_CALLS_KEPT} (an {@code AdminCallAccepted} prunes older ones).
     */
    public static final String ADMIN_CALLS = "admin-calls";
    /** Longer than a SigV4 signature stays valid (its date ±15 minutes), with room for clocks that differ. */
    public static final java.time.Duration ADMIN_CALLS_KEPT = java.time.Duration.ofHours(1);
    /** Every store the fold writes, in the order the topology declares them. */
    public static final java.util.List<String> ALL = java.util.List.of(BUCKETS, OBJECTS, UPLOADS, PARTS, BLOCK_REFS,
            ACCESS_KEYS, MEMBERS, LAYOUT, JOIN_TOKENS, UNDER_REPLICATED, CONSOLE, BUCKET_STATS, VERSIONS, ADMIN_CALLS);

    private StoreNames() {
    }
}
