package org.blockcloset.ledger.event;

/** PutObjectAcl with a canned ACL on one version ({@code s3VersionId} null: the current one). */
public record ObjectAclChanged(String bucket, String key, String s3VersionId, String acl) implements Event {
    @Override
    public String entityKey() {
        return Keys.object(bucket, key);
    }
}
