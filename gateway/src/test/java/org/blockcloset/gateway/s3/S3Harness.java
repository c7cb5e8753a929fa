package org.blockcloset.gateway.s3;

import com.codahale.metrics.MetricRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.blockcloset.admin.RequestLog;
import org.blockcloset.ledger.seal.SecretBox;
import org.blockcloset.gateway.object.ObjectService;
import org.blockcloset.ledger.event.AccessKeyCreated;
import org.blockcloset.ledger.memory.InMemoryLedger;
import org.blockcloset.storage.care.BlockPlacement;
import org.blockcloset.storage.disk.DiskBlockStore;
import org.blockcloset.storage.remote.ClusterCredentials;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 front door of one node without a broker (issue 18): the real {@link S3Servlet}, handlers,
 * object service and a disk block store in a temp dir, over real HTTP in Jetty, on the
 * {@link InMemoryLedger} (the node's fold, in memory). Starts in well under a second, so each
 * handler family gets tests that run in the unit-test phase; the ITs keep the whole node.
 */
final class S3Harness implements AutoCloseable {
    static final String ACCESS_KEY = "HARNESSACCESSKEY0001";
    static final String SECRET_KEY = "harness-secret-key-0000000000000000000001";

    final InMemoryLedger ledger = new InMemoryLedger();
    final DiskBlockStore blocks;
    /** Each request's stages (with the views' reads in each), as the console's diagnostics show them. */
    final RequestLog requests = new RequestLog(Duration.ofSeconds(5));
    private final Server server;
    private final URI endpoint;
    private final SecretBox secrets;

    S3Harness(Path dir) throws Exception {
        this(dir, true);
    }

    /** @param sigV2 whether S3 takes AWS Signature Version 2 (BLOCKCLOSET_SIGV2) */
    S3Harness(Path dir, boolean sigV2) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        secrets = new SecretBox(key);
        ledger.append("system", "harness", new AccessKeyCreated(ACCESS_KEY, secrets.seal(SECRET_KEY, ACCESS_KEY),
                "harness key", true, Instant.now(), null));
        blocks = DiskBlockStore.open(new DiskBlockStore.Config(dir, 1L << 30, 64 << 10));
        BlockPlacement placement = new BlockPlacement(ledger, "node-harness", new ClusterCredentials(key),
                SSLContext.getDefault());
        S3Context ctx = new S3Context(ledger, new ObjectService(ledger, blocks, placement), secrets, Clock.systemUTC(),
                List.of(), "us-east-1", Duration.ofDays(1), sigV2);
        server = new Server();
        // As the node's main() and its S3 connector (BlockClosetApplication): strict response headers,
        // header values as sent, any URI an object key makes.
        System.setProperty("org.eclipse.jetty.http.HttpGenerator.STRICT",
                System.getProperty("org.eclipse.jetty.http.HttpGenerator.STRICT", "true"));
        HttpConfiguration config = new HttpConfiguration();
        S3Servlet.keepHeaderValues(config);
        ServerConnector http = new ServerConnector(server, new HttpConnectionFactory(config));
        http.setHost("127.0.0.1");
        http.setPort(0);
        server.addConnector(http);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new S3Servlet(ctx, new MetricRegistry(), true, requests)), "/*");
        S3Servlet.acceptAnyObjectKey(config, context.getServletHandler());
        server.setHandler(context);
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + http.getLocalPort());
    }

    /** An AWS SDK v2 client for the harness key; no retries (a failure shows as it happened). */
    S3Client client() {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .forcePathStyle(true)
                .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
                .build();
    }

    /** A key that reaches no bucket of its own (as a new key starts, issue 16), and a client signing with it. */
    S3Client clientOfANewKey(String id, String secret) throws Exception {
        ledger.append("system", "harness-" + id, new AccessKeyCreated(id, secrets.seal(secret, id), "a new key", false,
                Instant.now(), null, java.util.Map.of()));
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
                .forcePathStyle(true)
                .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
                .build();
    }

    /** A client that signs nothing: what anyone on the network is. */
    S3Client anonymous() {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create()).forcePathStyle(true)
                .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
                .build();
    }

    URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() throws Exception {
        server.stop();
        blocks.close();
        ledger.close();
    }
}
