package org.blockcloset.admin;

import java.util.Map;
import java.util.Optional;
import org.blockcloset.ledger.Ledger;

/** What the console needs from the node beyond the log and its views; the node application implements it. */
public interface ConsoleBackend {
    Ledger ledger();

    /** This node's S3 port (the console links the S3 endpoint on the host the browser used). */
    int s3Port();

    String region();

    /** The first access key (id, secret) when this node made it, for the connect page. */
    Optional<AccessKeyPair> bootstrapKey();

    /** Makes an access key; its secret is returned this once and kept only sealed. */
    AccessKeyPair createKey(String actor, String description, boolean admin) throws Exception;

    boolean validBucketName(String name);

    /** The copies each block of a bucket gets (its factor, or the cluster default). */
    int copiesFor(String bucket);

    /** The cluster as {@code GET /api/cluster} answers it. */
    Map<String, Object> cluster();

    /** Waits for this node's views to hold every write acknowledged anywhere before now; false if the log cannot be asked. */
    boolean readBarrier();

    record AccessKeyPair(String accessKeyId, String secretAccessKey) {
    }
}
