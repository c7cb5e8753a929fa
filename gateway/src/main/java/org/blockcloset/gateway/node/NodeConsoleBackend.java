package org.blockcloset.gateway.node;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.blockcloset.admin.ConsoleBackend;
import org.blockcloset.gateway.s3.BucketNames;
import org.blockcloset.ledger.Ledger;

/** The console's view of this node: the log, key making, bucket rules and the cluster report. */
public final class NodeConsoleBackend implements ConsoleBackend {
    private final Ledger ledger;
    private final SecretBox box;
    private final AdminAuth adminAuth;
    private final Supplier<Integer> s3Port;
    private final String region;
    private final Optional<AccessKeyPair> bootstrap;
    private final ToIntFunction<String> copies;
    private final Supplier<Map<String, Object>> cluster;

    public NodeConsoleBackend(Ledger ledger, SecretBox box, AdminAuth adminAuth, Supplier<Integer> s3Port, String region,
                              BootstrapKey.Credentials bootstrap, ToIntFunction<String> copies,
                              Supplier<Map<String, Object>> cluster) {
        this.ledger = ledger;
        this.box = box;
        this.adminAuth = adminAuth;
        this.s3Port = s3Port;
        this.region = region;
        this.bootstrap = Optional.ofNullable(bootstrap).map(k -> new AccessKeyPair(k.accessKeyId(), k.secretAccessKey()));
        this.copies = copies;
        this.cluster = cluster;
    }

    @Override
    public Ledger ledger() {
        return ledger;
    }

    @Override
    public int s3Port() {
        return s3Port.get();
    }

    @Override
    public String region() {
        return region;
    }

    @Override
    public Optional<AccessKeyPair> bootstrapKey() {
        // Shown only while the key is active: a revoked first key is no way in.
        return bootstrap.filter(k -> ledger.views().accessKey(k.accessKeyId()).filter(a -> a.active()).isPresent());
    }

    @Override
    public AccessKeyPair createKey(String actor, String description, boolean admin) throws Exception {
        AccessKeys.Created k = AccessKeys.create(ledger, box, actor, description, admin);
        return new AccessKeyPair(k.accessKeyId(), k.secretAccessKey());
    }

    @Override
    public boolean validBucketName(String name) {
        return BucketNames.valid(name);
    }

    @Override
    public int copiesFor(String bucket) {
        return copies.applyAsInt(bucket);
    }

    @Override
    public Map<String, Object> cluster() {
        return cluster.get();
    }

    @Override
    public boolean readBarrier() {
        return adminAuth.readBarrier();
    }
}
