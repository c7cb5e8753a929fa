package org.blockcloset.ledger.model;

/**
 * Why the views refused an event. The log's order decides between concurrent requests: the
 * fold applies events one by one and refuses those that no longer fit the state (a put into a
 * bucket deleted just before it, a second create of the same bucket).
 */
public enum Rejection {
    NO_SUCH_BUCKET,
    BUCKET_EXISTS,
    BUCKET_NOT_EMPTY,
    NO_SUCH_UPLOAD,
    /** The object is gone, or was overwritten since the request read it. */
    NO_SUCH_KEY,
    ACCESS_KEY_EXISTS,
    NO_SUCH_ACCESS_KEY,
    /** A conditional write's precondition did not hold against the key's current version. */
    PRECONDITION_FAILED,
    /** The write would take its bucket past the bucket's quota. */
    QUOTA_EXCEEDED,
    /** A node with that id (or KRaft id) is already a member. */
    NODE_EXISTS,
    NO_SUCH_NODE,
    /** The join token is unknown, used or expired. */
    INVALID_JOIN_TOKEN,
    /** A layout planned from an older one than the current. */
    STALE_LAYOUT,
    /** The console was set up already (a second setup lost the race in log order). */
    ALREADY_SET_UP,
    /** The console is not set up, or the change names another administrator. */
    NOT_SET_UP,
    /** Object lock retains the version (retention or legal hold), or forbids the change to its lock. */
    OBJECT_LOCKED,
    /** The version named does not exist. */
    NO_SUCH_VERSION,
    /** The bucket's state does not allow it (suspending versioning of a locked bucket, lock on an unlocked one). */
    INVALID_BUCKET_STATE,
    /** A signed admin call accepted already (by any node): a replay. */
    REPLAYED,
    /** The event could not be applied at all (malformed); it changed nothing. */
    INVALID_EVENT
}
