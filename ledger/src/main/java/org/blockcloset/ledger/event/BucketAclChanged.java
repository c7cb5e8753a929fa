package org.blockcloset.ledger.event;

/** PutBucketAcl with a canned ACL (private, public-read, public-read-write, authenticated-read). */
public record BucketAclChanged(String bucket, String acl) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
