package org.blockcloset.ledger.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Something that happened to the store, named in the past tense. Events are the source of truth:
 * every view is a fold over them in log order, so the log's order decides between concurrent writers.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = BucketCreated.class, name = "BucketCreated"),
    @JsonSubTypes.Type(value = BucketDeleted.class, name = "BucketDeleted"),
    @JsonSubTypes.Type(value = ObjectPut.class, name = "ObjectPut"),
    @JsonSubTypes.Type(value = ObjectDeleted.class, name = "ObjectDeleted"),
    @JsonSubTypes.Type(value = MultipartUploadCreated.class, name = "MultipartUploadCreated"),
    @JsonSubTypes.Type(value = PartUploaded.class, name = "PartUploaded"),
    @JsonSubTypes.Type(value = MultipartUploadCompleted.class, name = "MultipartUploadCompleted"),
    @JsonSubTypes.Type(value = MultipartUploadAborted.class, name = "MultipartUploadAborted"),
    @JsonSubTypes.Type(value = AccessKeyCreated.class, name = "AccessKeyCreated"),
    @JsonSubTypes.Type(value = AccessKeyRevoked.class, name = "AccessKeyRevoked"),
    @JsonSubTypes.Type(value = NodeJoined.class, name = "NodeJoined"),
    @JsonSubTypes.Type(value = NodeCapacityChanged.class, name = "NodeCapacityChanged"),
    @JsonSubTypes.Type(value = NodeRemoved.class, name = "NodeRemoved"),
    @JsonSubTypes.Type(value = LayoutChanged.class, name = "LayoutChanged"),
    @JsonSubTypes.Type(value = JoinTokenCreated.class, name = "JoinTokenCreated"),
    @JsonSubTypes.Type(value = JoinTokenRevoked.class, name = "JoinTokenRevoked"),
    @JsonSubTypes.Type(value = BlocksUnderReplicated.class, name = "BlocksUnderReplicated"),
    @JsonSubTypes.Type(value = BucketReplicationChanged.class, name = "BucketReplicationChanged"),
    @JsonSubTypes.Type(value = NodeFailed.class, name = "NodeFailed"),
    @JsonSubTypes.Type(value = NodeRecovered.class, name = "NodeRecovered"),
    @JsonSubTypes.Type(value = BlocksReplicated.class, name = "BlocksReplicated"),
    @JsonSubTypes.Type(value = BlocksDropped.class, name = "BlocksDropped"),
    @JsonSubTypes.Type(value = ScrubFoundCorruption.class, name = "ScrubFoundCorruption"),
    @JsonSubTypes.Type(value = NodeDraining.class, name = "NodeDraining"),
    @JsonSubTypes.Type(value = ConsoleSetUp.class, name = "ConsoleSetUp"),
    @JsonSubTypes.Type(value = ConsolePasswordChanged.class, name = "ConsolePasswordChanged"),
    @JsonSubTypes.Type(value = BucketQuotaChanged.class, name = "BucketQuotaChanged"),
    @JsonSubTypes.Type(value = AccessKeyPermissionsChanged.class, name = "AccessKeyPermissionsChanged"),
    @JsonSubTypes.Type(value = ObjectTagsChanged.class, name = "ObjectTagsChanged"),
    @JsonSubTypes.Type(value = BucketTagsChanged.class, name = "BucketTagsChanged"),
    @JsonSubTypes.Type(value = BucketVersioningChanged.class, name = "BucketVersioningChanged"),
    @JsonSubTypes.Type(value = BucketObjectLockChanged.class, name = "BucketObjectLockChanged"),
    @JsonSubTypes.Type(value = BucketAclChanged.class, name = "BucketAclChanged"),
    @JsonSubTypes.Type(value = BucketCorsChanged.class, name = "BucketCorsChanged"),
    @JsonSubTypes.Type(value = ObjectLockChanged.class, name = "ObjectLockChanged"),
    @JsonSubTypes.Type(value = ObjectAclChanged.class, name = "ObjectAclChanged"),
    @JsonSubTypes.Type(value = BucketLifecycleChanged.class, name = "BucketLifecycleChanged"),
    @JsonSubTypes.Type(value = ClusterHealthChanged.class, name = "ClusterHealthChanged"),
    @JsonSubTypes.Type(value = AdminCallAccepted.class, name = "AdminCallAccepted"),
    @JsonSubTypes.Type(value = BucketPolicyChanged.class, name = "BucketPolicyChanged"),
    @JsonSubTypes.Type(value = BucketPublicAccessBlockChanged.class, name = "BucketPublicAccessBlockChanged"),
    @JsonSubTypes.Type(value = BucketOwnershipChanged.class, name = "BucketOwnershipChanged"),
})
public sealed interface Event permits BucketCreated, BucketDeleted, ObjectPut, ObjectDeleted,
        MultipartUploadCreated, PartUploaded, MultipartUploadCompleted, MultipartUploadAborted,
        AccessKeyCreated, AccessKeyRevoked, NodeJoined, NodeCapacityChanged, NodeRemoved, LayoutChanged,
        JoinTokenCreated, BlocksUnderReplicated, BucketReplicationChanged, NodeFailed, NodeRecovered,
        BlocksReplicated, BlocksDropped, ScrubFoundCorruption, NodeDraining, ConsoleSetUp, ConsolePasswordChanged, BucketQuotaChanged, AccessKeyPermissionsChanged, ObjectTagsChanged,
        BucketTagsChanged, BucketVersioningChanged, BucketObjectLockChanged, BucketAclChanged, BucketCorsChanged, ObjectLockChanged, ObjectAclChanged,
        BucketLifecycleChanged, ClusterHealthChanged, JoinTokenRevoked, AdminCallAccepted, BucketPolicyChanged,
        BucketPublicAccessBlockChanged, BucketOwnershipChanged {

    /** The log record key: events about one entity share it, so they stay in order on one partition. */
    String entityKey();
}
