package org.blockcloset.gateway.cluster;

import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.blockcloset.storage.BlockStore;
import org.blockcloset.storage.LeaseTable;
import org.blockcloset.storage.remote.BlockApiServlet;
import org.blockcloset.storage.remote.ClusterCredentials;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The cluster port: node-to-node calls (the block API and joins), on its own Jetty server so that
 * nothing else of the node is reachable there, and nothing there answers without the cluster's
 * credentials. It speaks TLS only (ADR 0015), with the key every member derives from the cluster
 * secret: block bytes never cross the LAN in clear, and a member talks only to a peer holding the
 * key. Expired block leases are reaped every few seconds.
 */
public final class ClusterServer implements Managed {
    private static final int MAX_THREADS = 32;
    private static final long LEASE_REAP_SECONDS = 5;

    private final Server server;
    private final ServerConnector connector;
    private final ServletContextHandler context;
    private final LeaseTable leases;
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "block-lease-reaper");
        t.setDaemon(true);
        return t;
    });

    public ClusterServer(String bindHost, int port, BlockStore store, ClusterCredentials credentials, javax.net.ssl.SSLContext tls,
            Clock clock) {
        this.leases = new LeaseTable(store, clock);
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 4);
        threads.setName("cluster-http");
        server = new Server(threads);
        org.eclipse.jetty.util.ssl.SslContextFactory.Server ssl = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
        ssl.setSslContext(tls);
        ssl.setIncludeProtocols("TLSv1.3");
        // Peers connect by address, and the certificate names no host: the pinned key is the check,
        // so Jetty's SNI host check (which answers 400 "Invalid SNI") does not apply.
        org.eclipse.jetty.server.HttpConfiguration https = new org.eclipse.jetty.server.HttpConfiguration();
        org.eclipse.jetty.server.SecureRequestCustomizer secure = new org.eclipse.jetty.server.SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        connector = new ServerConnector(server, ssl, new org.eclipse.jetty.server.HttpConnectionFactory(https));
        connector.setHost(bindHost);
        connector.setPort(port);
        server.addConnector(connector);
        context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new BlockApiServlet(store, leases, credentials, clock)), "/*");
        server.setHandler(context);
    }

    /** Adds a route (before start): the join endpoint, authenticated by its own token proof. */
    public void addServlet(String path, jakarta.servlet.http.HttpServlet servlet) {
        context.addServlet(new ServletHolder(servlet), path);
    }

    @Override
    public void start() throws Exception {
        server.start();
        reaper.scheduleWithFixedDelay(leases::expire, LEASE_REAP_SECONDS, LEASE_REAP_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void stop() throws Exception {
        reaper.shutdownNow();
        server.stop();
    }

    public int port() {
        return connector.getLocalPort();
    }
}
