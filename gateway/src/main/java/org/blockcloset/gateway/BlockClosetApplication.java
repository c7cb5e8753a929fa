package org.blockcloset.gateway;

import org.blockcloset.ledger.kafka.KafkaLedger;
import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.ResourceConfigurationSourceProvider;
import org.blockcloset.gateway.settings.NodeSettings;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jetty.HttpConnectorFactory;
import org.blockcloset.storage.node.NodeTls;
import io.dropwizard.lifecycle.Managed;
import java.nio.file.Files;
import java.util.List;
import java.nio.file.Path;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import org.blockcloset.admin.api.ClusterAdminServlet;
import org.blockcloset.gateway.cluster.ClusterServer;
import org.blockcloset.storage.cluster.Discovery;
import org.blockcloset.admin.api.DiscoveryServlet;
import org.blockcloset.storage.cluster.FailureSteward;
import org.blockcloset.storage.cluster.Join;
import org.blockcloset.storage.cluster.JoinClient;
import org.blockcloset.storage.cluster.JoinServlet;
import org.blockcloset.admin.api.JoinTokensServlet;
import org.blockcloset.ledger.cluster.Liveness;
import org.blockcloset.storage.cluster.Redundancy;
import org.blockcloset.storage.cluster.AlertWebhook;
import org.blockcloset.storage.cluster.ClusterWatch;
import org.blockcloset.ledger.kafka.StewardScheduler;
import org.blockcloset.storage.cluster.Membership;
import org.blockcloset.storage.cluster.NodeService;
import org.blockcloset.admin.api.NodesAdminServlet;
import org.blockcloset.admin.Console;
import org.blockcloset.admin.api.AccessKeysServlet;
import org.blockcloset.gateway.node.NodeConsoleBackend;
import org.blockcloset.admin.api.AdminAuth;
import org.blockcloset.admin.api.BucketsAdminServlet;
import org.blockcloset.storage.node.NodeIdentity;
import org.blockcloset.gateway.node.NodeTempDir;
import org.blockcloset.ledger.seal.SecretBox;
import org.blockcloset.gateway.object.ObjectService;
import org.blockcloset.storage.care.BlockPlacement;
import org.blockcloset.storage.care.Repairer;
import org.blockcloset.storage.care.Scrubber;
import org.blockcloset.gateway.node.BlockStoreHealthCheck;
import org.blockcloset.gateway.node.BootstrapKey;
import org.blockcloset.storage.care.GcScheduler;
import org.blockcloset.gateway.node.LedgerHealthCheck;
import org.blockcloset.gateway.s3.S3Context;
import org.blockcloset.gateway.s3.S3Servlet;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.kafka.EmbeddedKafka;
import org.blockcloset.ledger.kafka.KafkaSettings;
import org.blockcloset.ledger.model.ClusterNode;
import org.blockcloset.ledger.model.NodeAddress;
import org.blockcloset.storage.disk.DiskBlockStore;
import org.blockcloset.storage.remote.ClusterCredentials;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Block Closet node: the embedded KRaft log, the views, the block store and the S3 endpoint.
 * Everything is wired here, with plain {@code new}; everything is started before Jetty opens its
 * ports, so the health check answers only once S3 requests can be served.
 */
public class BlockClosetApplication extends Application<BlockClosetConfiguration> {
    private static final Logger LOG = LoggerFactory.getLogger(BlockClosetApplication.class);
    public static final String DEFAULT_CONFIG = NodeSettings.FILE;

    public static void main(String[] args) throws Exception {
        // Without it Jetty rewrites a stored Content-Type it recognises ("text/plain; charset=UTF-8"
        // goes out as "text/plain;charset=utf-8"); S3 returns it as it was put. Read once, at class load.
        System.setProperty("org.eclipse.jetty.http.HttpGenerator.STRICT",
                System.getProperty("org.eclipse.jetty.http.HttpGenerator.STRICT", "true"));
        new BlockClosetApplication().run(args.length == 0 ? new String[] {"server", DEFAULT_CONFIG} : args);
    }

    @Override
    public String getName() {
        return "blockcloset";
    }

    @Override
    public void initialize(Bootstrap<BlockClosetConfiguration> bootstrap) {
        ConfigurationSourceProvider fileOrResource = path -> Files.exists(Path.of(path))
                ? new FileConfigurationSourceProvider().open(path)
                : new ResourceConfigurationSourceProvider().open(path);
        bootstrap.setConfigurationSourceProvider(
                new SubstitutingSourceProvider(fileOrResource, new EnvironmentVariableSubstitutor(false)));
        bootstrap.addCommand(new org.blockcloset.gateway.cluster.StatusCommand());
        bootstrap.addCommand(new org.blockcloset.gateway.cluster.NodeActionCommand("drain",
                "Empty a node: the layout places nothing on it any more and its blocks move to the others"));
        bootstrap.addCommand(new org.blockcloset.gateway.cluster.NodeActionCommand("remove",
                "Remove a node from the cluster once it is drained (or failed and repaired)"));
    }

    @Override
    public void run(BlockClosetConfiguration config, Environment env) throws Exception {
        Path data = Path.of(config.dataDir).toAbsolutePath().normalize();
        Files.createDirectories(data);
        // Blocks, the log, the views and the keys: nobody but the node's own user reads any of it.
        if (Files.getFileStore(data).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        java.util.Optional<NodeTls> tls = NodeTls.load(config.tlsCert, config.tlsKey, data.resolve("tls"),
                NodeTls.names(config.advertise, List.of(bind(config, "application"), bind(config, "admin")), config.domains));
        if (tls.isPresent()) {
            useTls(config, tls.get(), data.resolve("tls"));
        }
        // Until Dropwizard opens the ports, a stand-in answers on them with the stage the start is at.
        try (org.blockcloset.gateway.node.StartupStatus starting = org.blockcloset.gateway.node.StartupStatus.open(
                bind(config, "admin"), port(config, "admin"), bind(config, "application"), port(config, "application"),
                tls.map(NodeTls::sslContext).orElse(null))) {
            start(config, env, starting, data, tls);
        }
    }

    /**
     * The S3 and admin ports speak only TLS (issue 16), with the certificate of {@link NodeTls}: each
     * HTTP connector is replaced by an HTTPS one on the same address, port and idle timeout. No SNI
     * host check: S3 clients reach a node by whatever address or name they were given.
     */
    private static void useTls(BlockClosetConfiguration config, NodeTls tls, Path dir) throws java.io.IOException {
        String password = tls.writeKeyStore(dir);
        if (config.getServerFactory() instanceof DefaultServerFactory f) {
            java.util.function.UnaryOperator<List<io.dropwizard.jetty.ConnectorFactory>> secure = list -> list.stream().map(c -> {
                if (c instanceof HttpConnectorFactory h && !(c instanceof io.dropwizard.jetty.HttpsConnectorFactory)) {
                    io.dropwizard.jetty.HttpsConnectorFactory s = new io.dropwizard.jetty.HttpsConnectorFactory();
                    s.setPort(h.getPort());
                    s.setBindHost(h.getBindHost());
                    s.setIdleTimeout(h.getIdleTimeout());
                    s.setKeyStorePath(tls.keyStorePath(dir).toString());
                    s.setKeyStorePassword(password);
                    s.setKeyStoreType("PKCS12");
                    s.setSupportedProtocols(List.of("TLSv1.3", "TLSv1.2"));
                    s.setDisableSniHostCheck(true);
                    return (io.dropwizard.jetty.ConnectorFactory) s;
                }
                return c;
            }).toList();
            f.setApplicationConnectors(new java.util.ArrayList<>(secure.apply(f.getApplicationConnectors())));
            f.setAdminConnectors(new java.util.ArrayList<>(secure.apply(f.getAdminConnectors())));
        }
    }

    private void start(BlockClosetConfiguration config, Environment env, org.blockcloset.gateway.node.StartupStatus starting,
            Path data, java.util.Optional<NodeTls> tls) throws Exception {
        NodeTempDir.claim(data);
        allowAnyObjectKeyInUris(config, env);
        keepHeaderValuesAsSent(env);

        NodeAddress address = new NodeAddress(config.advertise, port(config, "application"), port(config, "admin"),
                config.clusterPort, config.kafkaPort, config.kafkaControllerPort);
        long lent = config.roles.contains(ClusterNode.STORAGE) ? config.capacity.toBytes() : 0;
        NodeIdentity identity = identity(config, data, address, lent);
        boolean joined = identity.kafkaClusterId() != null;
        // The first node creates the quorum; once the cluster grew it finds it through every member's
        // controller like the others (it may have been replaced as a voter while it was gone).
        KafkaSettings.Quorum quorum = joined
                ? new KafkaSettings.Quorum(identity.kafkaClusterId(), identity.controllerBootstrap(), identity.controller())
                : identity.controllerBootstrap().isEmpty() ? KafkaSettings.Quorum.FIRST
                : new KafkaSettings.Quorum(null, identity.controllerBootstrap(), true);
        // A member of a cluster waits for a quorum of the log's controllers as long as it takes: after a
        // power cut the other hosts may boot minutes later (ADR 0009). Alone, it is its own quorum.
        EmbeddedKafka kafka = EmbeddedKafka.start(KafkaSettings.defaults(data)
                .withPorts(config.kafkaPort, config.kafkaControllerPort)
                .withPassword(identity.derivedSecret("kafka"))
                .withNode(identity.kraftId(), config.advertise, quorum),
                quorum.controllerBootstrap().isEmpty() ? EmbeddedKafka.STARTUP_TIMEOUT : null, starting::stage);
        manage(env, kafka::close);
        if (joined) {
            starting.stage("joining the log's controller quorum");
            kafka.becomeVoter(Duration.ofMinutes(2));
        }
        starting.stage("restoring the views from the log");
        Ledger ledger = KafkaLedger.start(new KafkaLedger.Settings(kafka.connection(), identity.viewsId(), data.resolve("streams"),
                (short) 1, Duration.ofMillis(config.applyTimeout.toMilliseconds()), Duration.ofMinutes(5)));
        manage(env, ledger::close);
        starting.stage("opening the block store and joining the membership");
        // A gateway without the storage role lends nothing: its store takes no block.
        DiskBlockStore blocks = DiskBlockStore.open(new DiskBlockStore.Config(data, lent, (int) config.blockSize.toBytes()));
        manage(env, blocks::close);
        SecretBox secrets = new SecretBox(identity.derivedKey("access-key secrets"));
        BootstrapKey.Credentials key = joined && (config.accessKeyId == null || config.accessKeyId.isBlank())
                ? null // a joined node serves the cluster's keys; the first node made the bootstrap key
                : BootstrapKey.ensure(ledger, secrets, data, config.accessKeyId, config.secretAccessKey);
        ClusterServer cluster = new ClusterServer(config.clusterBind, config.clusterPort, blocks,
                new ClusterCredentials(identity.clusterSecret()), identity.clusterPortTls(), Clock.systemUTC());
        cluster.addServlet(Join.PATH, new JoinServlet(ledger, secrets, identity, kafka::clusterId, Clock.systemUTC()));

        BlockPlacement placement = new BlockPlacement(ledger, identity.nodeId(), new ClusterCredentials(identity.clusterSecret()),
                identity.clusterPortTls());
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        String version = BlockClosetApplication.class.getPackage().getImplementationVersion();
        Repairer repairer = new Repairer(ledger, blocks, placement, config.repairBandwidth.toBytes(),
                Duration.ofMillis(config.repairInterval.toMilliseconds()), Clock.systemUTC());
        // The scrubber starts later; its status joins the heartbeats from then on.
        java.util.concurrent.atomic.AtomicReference<java.util.function.Supplier<java.util.Map<String, Object>>> scrubStatus =
                new java.util.concurrent.atomic.AtomicReference<>(java.util.Map::of);
        Liveness liveness = new Liveness(kafka.connection(), identity.nodeId(), () -> {
            Repairer.Progress p = repairer.progress();
            java.util.Map<String, Object> s = scrubStatus.get().get();
            return new Liveness.Heartbeat(identity.nodeId(), System.currentTimeMillis(), blocks.capacity(), blocks.used(),
                    blocks.free(), os.getSystemLoadAverage(), version == null ? "dev" : version,
                    new Liveness.Repair(p.state(), p.blocksLeft(), p.bytesLeft(), repairer.lostBlocks(), Math.round(p.bytesPerSecond()),
                            p.etaSeconds(), p.layoutVersion(), p.surplusLeft(),
                            p.passFinished() == null ? null : p.passFinished().toString(), p.bytesToCopy(), repairer.settledLayout(), repairer.settledFactors()),
                    s.isEmpty() ? null : new Liveness.Scrub(String.valueOf(s.get("state")), number(s.get("blocksChecked")),
                            number(s.get("blocksTotal")), number(s.get("corruptFound")), number(s.get("passes"))));
        }, Clock.systemUTC());
        // The block API and the heartbeats start before this node enters the layout: a new replica must
        // take copies, and be seen alive, from the moment it is one (ADR 0009).
        cluster.start();
        manage(env, cluster::stop);
        liveness.start();
        manage(env, liveness::stop);
        // One node at a time changes the metadata quorum's voters: the steward (the first member it sees up).
        StewardScheduler stewards = new StewardScheduler(kafka.connection(), () -> ledger.views().nodes(),
                () -> liveness.steward(ledger.views().nodes()).map(identity.nodeId()::equals).orElse(false), liveness::isUp);
        env.lifecycle().manage(new Managed() {
            @Override
            public void start() {
                stewards.start();
            }

            @Override
            public void stop() {
                stewards.stop();
            }
        });
        placement.useLiveness(liveness::writable, liveness::isUp);
        Membership membership = new Membership(ledger, new Membership.Self(identity.nodeId(), identity.kraftId(), address,
                config.roles, config.zone, config.capacity.toBytes()), config.replication);
        // A capacity or zone set through the admin API stands until the owner changes the settings (LentSettings).
        boolean settingsChanged = org.blockcloset.gateway.node.LentSettings.changedSinceLastStart(data, lent, config.zone);
        membership.register(settingsChanged);
        org.blockcloset.gateway.node.LentSettings.remember(data, lent, config.zone);
        // The store lends what the log says this node lends, also after a change made on another node.
        java.util.concurrent.atomic.AtomicReference<String> controllersStored =
                new java.util.concurrent.atomic.AtomicReference<>(identity.controllerBootstrap());
        Runnable followCapacity = () -> {
            ledger.views().node(identity.nodeId())
                    .filter(n -> n.roles().contains(ClusterNode.STORAGE)).ifPresent(n -> blocks.capacity(n.capacity()));
            // And the members' controllers, so that a start after a power cut knows every peer to wait for.
            try {
                rememberControllers(ledger, identity, data, controllersStored);
            } catch (java.io.IOException e) {
                LOG.debug("controllers not remembered this time: {}", e.toString());
            }
        };
        followCapacity.run();
        env.lifecycle().scheduledExecutorService("capacity-follower").threads(1).build()
                .scheduleWithFixedDelay(() -> {
                    try {
                        followCapacity.run();
                    } catch (RuntimeException e) {
                        LOG.debug("capacity not followed this time: {}", e.toString());
                    }
                }, 2, 2, java.util.concurrent.TimeUnit.SECONDS);
        rememberControllers(ledger, identity, data, controllersStored);
        env.lifecycle().manage(new FailureSteward(ledger, liveness, membership, identity.nodeId(),
                Duration.ofMillis(config.repairGrace.toMilliseconds()), Clock.systemUTC()));
        env.lifecycle().manage(repairer);
        Scrubber scrubber = new Scrubber(ledger, blocks, identity.nodeId(), Duration.ofMillis(config.scrubPeriod.toMilliseconds()),
                config.repairBandwidth.toBytes(), Clock.systemUTC());
        env.lifecycle().manage(scrubber);
        scrubber.onCorruption(repairer::unsettle);
        scrubStatus.set(scrubber::status);

        GcScheduler gc = new GcScheduler(ledger, blocks, Duration.ofMillis(config.gcGrace.toMilliseconds()),
                Duration.ofMillis(config.gcInterval.toMilliseconds()));
        env.lifecycle().manage(gc);

        env.lifecycle().manage(new org.blockcloset.storage.care.Lifecycle(ledger, Duration.ofMillis(config.lifecycleDay.toMilliseconds()),
                Duration.ofMillis(config.lifecycleInterval.toMilliseconds()), Clock.systemUTC(), () -> {
                    var nodes = ledger.views().nodes();
                    // One node acts: the first member by id that this node sees up (alone, itself).
                    return nodes.size() < 2 || liveness.steward(nodes).map(identity.nodeId()::equals).orElse(false);
                }));

        ObjectService objectService = new ObjectService(ledger, blocks, placement);
        S3Context s3 = new S3Context(ledger, objectService, secrets, Clock.systemUTC(),
                config.domains, config.region, Duration.ofMillis(config.lifecycleDay.toMilliseconds()), config.sigV2);
        org.blockcloset.admin.RequestLog requests = new org.blockcloset.admin.RequestLog(
                Duration.ofMillis(config.slowRequest.toMilliseconds()));
        env.servlets().addServlet("s3", new S3Servlet(s3, env.metrics(), config.roles.contains(ClusterNode.GATEWAY), requests))
                .addMapping("/*");
        AdminAuth adminAuth = new AdminAuth(ledger, new org.blockcloset.gateway.auth.AdminSignatureCheck(ledger, secrets));
        // The one place each kind of change is checked and appended, whoever asks (ADR 0016).
        org.blockcloset.ledger.service.AccessKeyService accessKeys =
                new org.blockcloset.ledger.service.AccessKeyService(ledger, secrets, Clock.systemUTC());
        org.blockcloset.ledger.service.BucketService bucketService =
                new org.blockcloset.ledger.service.BucketService(ledger, Clock.systemUTC());
        env.admin().addServlet("access-keys", new AccessKeysServlet(ledger, accessKeys, adminAuth, env.getObjectMapper()))
                .addMapping("/api/keys", "/api/keys/*");
        Redundancy redundancy = new Redundancy(ledger, liveness, identity.nodeId(), placement::copiesFor);
        manage(env, redundancy::close);
        // Whether the data survives one more node going down, computed when asked (ADR 0011). Said in
        // the check's message, never failed: it is the cluster's state, not this node's, and a probe
        // must not restart a node because its peers are down.
        env.healthChecks().register("redundancy", new com.codahale.metrics.health.HealthCheck() {
            @Override
            protected Result check() {
                return Result.builder().healthy().withMessage(redundancy.now().line()).build();
            }
        });
        // For Prometheus: 0 OK (or a single node), 1 DEGRADED, 2 UNAVAILABLE, and the two counts; computed at most once a second.
        java.util.function.Supplier<Redundancy.Report> lastSecond = () -> redundancy.atMostAgo(Duration.ofSeconds(1));
        env.metrics().registerGauge("cluster.redundancy-state", () -> switch (lastSecond.get().state()) {
            case OK, SINGLE -> 0;
            case DEGRADED -> 1;
            case UNAVAILABLE -> 2;
        });
        env.metrics().registerGauge("cluster.under-replicated-blocks", () -> lastSecond.get().underReplicated());
        env.metrics().registerGauge("cluster.unavailable-blocks", () -> lastSecond.get().unavailable());
        AlertWebhook alerts = new AlertWebhook(config.alertWebhook,
                () -> ledger.views().console().map(org.blockcloset.ledger.model.ConsoleSettings::clusterName).orElse(""));
        env.lifecycle().manage(new ClusterWatch(ledger, liveness, redundancy, alerts, identity.nodeId(),
                () -> liveness.steward(ledger.views().nodes())));
        ClusterAdminServlet clusterReport = new ClusterAdminServlet(ledger, liveness, repairer, stewards, redundancy, adminAuth,
                env.getObjectMapper());
        env.admin().addServlet("cluster", clusterReport).addMapping("/api/cluster");
        int[] s3PortSeen = {port(config, "application")};
        NodeConsoleBackend consoleBackend = new NodeConsoleBackend(ledger, secrets, accessKeys, adminAuth, () -> s3PortSeen[0],
                config.region, key, placement, blocks, objectService, clusterReport::report).withSettings(NodeSettings.withoutSecrets(System.getenv()))
                .withTls(tls.isPresent());
        Console console = Console.install(env, consoleBackend, data, config.metricsToken, requests,
                Duration.ofMillis(config.chartInterval.toMilliseconds()));
        NodeService nodeService = new NodeService(ledger, membership, liveness);
        env.admin().addServlet("nodes", new NodesAdminServlet(nodeService, scrubber, adminAuth, env.getObjectMapper()))
                .addMapping("/api/nodes/*", "/api/scrub");
        env.admin().addServlet("buckets", new BucketsAdminServlet(ledger, bucketService, adminAuth, placement::copiesFor, env.getObjectMapper()))
                .addMapping("/api/buckets/*");
        JoinTokensServlet joinTokens = new JoinTokensServlet(ledger, secrets, adminAuth, config.advertise + ":" + config.clusterPort,
                Clock.systemUTC(), env.getObjectMapper());
        env.admin().addServlet("join-tokens", joinTokens).addMapping("/api/join-tokens", "/api/join-tokens/*");
        InetAddress advertised = InetAddress.getByName(config.advertise);
        DiscoveryServlet discovery = new DiscoveryServlet(Discovery.Mode.parse(config.discovery).enabledFor(advertised), advertised,
                identity.nodeId(), config.advertise + ":" + config.clusterPort, kafka::clusterId,
                () -> ledger.views().nodes().stream().map(ClusterNode::nodeId).collect(java.util.stream.Collectors.toSet()),
                adminAuth, env.getObjectMapper());
        env.lifecycle().manage(discovery);
        env.admin().addServlet("discovered", discovery).addMapping("/api/discovered");
        consoleBackend.withWaitingToJoin(discovery::waiting);
        consoleBackend.withNodeActions(actor -> {
            try {
                return joinTokens.create(actor, Duration.ofHours(1));
            } catch (org.blockcloset.ledger.RejectedException | org.blockcloset.ledger.LedgerUnavailableException e) {
                throw new IllegalStateException("the event log did not record the token: " + e.getMessage(), e);
            }
        }, (actor, nodeId, action) -> {
            NodeService.Result r = nodeService.act(nodeId, action, actor, false);
            java.util.Map<String, Object> out = new java.util.LinkedHashMap<>(r.body());
            out.put("status", r.status());
            return out;
        });
        consoleBackend.withScrub(scrubber::status);
        consoleBackend.withTestAlert(actor -> alerts.sendNow("test", "sent", "A test alert from Block Closet, sent by " + actor
                + " from the console of node " + identity.nodeId() + "."));
        env.admin().addTask(org.blockcloset.gateway.node.NodeTasks.scrub(scrubber));
        env.admin().addTask(org.blockcloset.gateway.node.NodeTasks.gc(gc));
        env.admin().addTask(org.blockcloset.gateway.node.NodeTasks.rebuildViews(ledger, data, identity));
        consoleBackend.withCapacityChanges((actor, nodeId, capacity, zone, apply) -> {
            NodeService.Result r = nodeService.capacity(nodeId, capacity, zone, apply, actor);
            java.util.Map<String, Object> out = new java.util.LinkedHashMap<>(r.body());
            out.put("status", r.status());
            return out;
        });
        env.healthChecks().register("ledger", new LedgerHealthCheck(ledger));
        env.healthChecks().register("block-store", new BlockStoreHealthCheck(blocks));
        env.metrics().registerGauge("blocks.capacity-bytes", blocks::capacity);
        env.metrics().registerGauge("blocks.used-bytes", blocks::used);
        env.metrics().registerGauge("blocks.free-bytes", blocks::free);
        env.metrics().registerGauge("ledger.applied-offset", () -> ledger.progress().appliedOffset(0));
        env.metrics().registerGauge("ledger.lag-events", ledger::lag);
        env.metrics().registerGauge("kafka.under-replicated-partitions", org.blockcloset.gateway.node.UnderReplicatedPartitions::local);
        env.metrics().registerGauge("repair.blocks-left", () -> repairer.progress().blocksToCopy() - repairer.progress().blocksCopied());
        env.metrics().registerGauge("repair.bytes-left", () -> repairer.progress().bytesToCopy() - repairer.progress().bytesCopied());
        env.metrics().registerGauge("repair.lost-blocks", () -> repairer.progress().lostBlocks());
        env.metrics().registerGauge("scrub.corrupt-found", () -> ((Number) scrubber.status().getOrDefault("corruptFound", 0)).longValue());
        objectService.meter(env.metrics());

        env.lifecycle().addServerLifecycleListener(server -> {
            int s3Port = -1;
            int adminPort = -1;
            for (Connector c : server.getConnectors()) {
                if (c instanceof NetworkConnector nc) {
                    if ("application".equals(c.getName())) {
                        s3Port = nc.getLocalPort();
                    } else if ("admin".equals(c.getName())) {
                        adminPort = nc.getLocalPort();
                    }
                }
            }
            s3PortSeen[0] = s3Port;
            // The launcher keeps the class archive this JVM writes at its exit only if this run served (ADR 0017).
            String served = System.getProperty("blockcloset.servedMarker");
            if (served != null) {
                try {
                    Files.writeString(Path.of(served), "served\n");
                } catch (java.io.IOException | RuntimeException e) {
                    LOG.debug("no class-archive marker: {}", e.toString());
                }
            }
            String setupCode = console.pendingSetupCode();
            String scheme = tls.isPresent() ? "https" : "http";
            String banner = String.format("%nBlock Closet is up.%n"
                    + "  S3 endpoint:       " + scheme + "://127.0.0.1:%d  (region %s, path-style or bucket.%s)%n"
                    + "  Console:           " + scheme + "://127.0.0.1:%d/console/   health: " + scheme + "://127.0.0.1:%d/healthcheck%n"
                    + tls.map(t -> "  TLS certificate:   " + t.certificateFile().toString().replace("%", "%%") + "%n"
                            + "                     SHA-256 " + t.fingerprint() + "%n").orElse("")
                    + (setupCode == null ? "" : "  Console setup code: " + setupCode + "  (asked once, by the console's first-run setup)%n")
                    + "  Access key id:     %s%n"
                    + "  Secret access key: %s%n"
                    + "  Data:              %s (capacity %s)%n"
                    + "  Node:              %s, cluster port %s:%d%n",
                    s3Port, config.region, config.domains.get(0), adminPort, adminPort,
                    key == null ? "(the cluster's keys)" : key.accessKeyId(), key == null ? "(the cluster's keys)" : key.secretForBanner(data, System.console() != null),
                    data, config.capacity,
                    identity.nodeId(), config.clusterBind, cluster.port());
            System.out.println(banner);
            System.out.flush();
        });
    }

    /**
     * This node's identity: kept from an earlier start; received from a member when BLOCKCLOSET_JOIN
     * names one (with BLOCKCLOSET_JOIN_TOKEN); otherwise made fresh, creating a new cluster.
     */
    private static NodeIdentity identity(BlockClosetConfiguration config, Path data, NodeAddress address, long lent)
            throws Exception {
        var known = NodeIdentity.load(data);
        if (known.isPresent()) {
            // A token left by a start that joined and died before deleting it.
            Files.deleteIfExists(data.resolve(JOIN_TOKEN_FILE));
            return known.get();
        }
        boolean noAddress = config.join == null || config.join.isBlank();
        String token = joinToken(config, data);
        boolean noToken = token == null;
        if (noAddress && noToken) {
            return NodeIdentity.loadOrCreate(data);
        }
        String nodeId = NodeIdentity.pendingNodeId(data); // the same id if an earlier attempt's answer was lost
        Join.Request self = new Join.Request(nodeId, address, config.roles, config.zone, lent);
        if (noAddress || Discovery.DISCOVER.equalsIgnoreCase(config.join)) {
            if (Discovery.Mode.parse(config.discovery) == Discovery.Mode.OFF) {
                throw new IllegalStateException("BLOCKCLOSET_JOIN_TOKEN without BLOCKCLOSET_JOIN needs discovery on the LAN, "
                        + "and BLOCKCLOSET_DISCOVERY is off; give BLOCKCLOSET_JOIN (host:port of any member's cluster port)");
            }
            return joined(data, self, Discovery.findAndJoin(InetAddress.getByName(config.advertise),
                    config.advertise + ":" + config.clusterPort, self, token));
        }
        if (noToken) {
            throw new IllegalStateException("BLOCKCLOSET_JOIN is set but BLOCKCLOSET_JOIN_TOKEN is not; create a token on "
                    + "any member (POST /api/join-tokens) and pass it");
        }
        return joined(data, self, new Discovery.Joined(config.join, JoinClient.join(config.join, token, self)));
    }

    /** Where install.sh leaves the join token for the first start (not in the settings file); gone once the node joined. */
    static final String JOIN_TOKEN_FILE = "join-token";

    /** BLOCKCLOSET_JOIN_TOKEN, or the token in {@code <data>/join-token}; null when neither has one. */
    private static String joinToken(BlockClosetConfiguration config, Path data) throws java.io.IOException {
        if (config.joinToken != null && !config.joinToken.isBlank()) {
            return config.joinToken.trim();
        }
        Path file = data.resolve(JOIN_TOKEN_FILE);
        if (Files.isRegularFile(file)) {
            String t = Files.readString(file).trim();
            return t.isEmpty() ? null : t;
        }
        return null;
    }

    private static NodeIdentity joined(Path data, Join.Request self, Discovery.Joined j) throws java.io.IOException {
        Join.Answer a = j.answer();
        NodeIdentity n = new NodeIdentity(self.nodeId(), a.kraftId(), java.util.Base64.getDecoder().decode(a.clusterSecret()),
                NodeIdentity.FIRST_VIEWS_ID + "-" + self.nodeId(), a.kafkaClusterId(), a.controller(), a.controllerBootstrap());
        n.store(data);
        // Used: it opens no recorded join (X25519); until it expires a member still answers a retry of this node's
        // join with it (ADR 0009), so it is kept nowhere once the node has joined.
        Files.deleteIfExists(data.resolve(JOIN_TOKEN_FILE));
        LOG.info("Joined the cluster through {} as {} (KRaft id {})", j.through(), self.nodeId(), a.kraftId());
        return n;
    }

    /** Keeps the controllers' addresses in node.properties, so the next start finds the quorum even if the first node is gone. */
    private static void rememberControllers(Ledger ledger, NodeIdentity identity, Path data,
                                            java.util.concurrent.atomic.AtomicReference<String> stored) throws java.io.IOException {
        var members = ledger.views().nodes();
        if (identity.kafkaClusterId() == null && members.size() < 2) {
            return; // the first node, alone, finds the quorum through itself
        }
        // Every member runs a controller (voter or observer); any of them leads a starting node to the quorum's leader.
        String controllers = String.join(",", members.stream().filter(n -> n.failed() == null)
                .map(n -> n.address().controllerBootstrap()).sorted().toList());
        if (!controllers.isEmpty() && !controllers.equals(stored.get())) {
            // From the file as it is now: a views reset may have changed it since this node started.
            NodeIdentity.load(data).orElse(identity).withControllerBootstrap(controllers).store(data);
            stored.set(controllers);
        }
    }

    /** The configured bind address of the application ("application") or admin ("admin") connector. */
    private static String bind(BlockClosetConfiguration config, String which) {
        if (config.getServerFactory() instanceof DefaultServerFactory f) {
            var connectors = which.equals("admin") ? f.getAdminConnectors() : f.getApplicationConnectors();
            for (var c : connectors) {
                if (c instanceof HttpConnectorFactory h) {
                    return h.getBindHost() == null ? "0.0.0.0" : h.getBindHost();
                }
            }
        }
        throw new IllegalStateException("no " + which + " HTTP connector configured");
    }

    /** The configured port of the application ("application") or admin ("admin") connector. */
    private static int port(BlockClosetConfiguration config, String which) {
        if (config.getServerFactory() instanceof DefaultServerFactory f) {
            var connectors = which.equals("admin") ? f.getAdminConnectors() : f.getApplicationConnectors();
            for (var c : connectors) {
                if (c instanceof HttpConnectorFactory h) {
                    return h.getPort();
                }
            }
        }
        throw new IllegalStateException("no " + which + " HTTP connector configured");
    }

    /** S3 keys may hold '//', '..', '%2F' and the like; Jetty's defaults would refuse such URIs. */
    private static void allowAnyObjectKeyInUris(BlockClosetConfiguration config, Environment env) {
        if (config.getServerFactory() instanceof DefaultServerFactory f) {
            f.getApplicationConnectors().forEach(c -> {
                if (c instanceof HttpConnectorFactory h) {
                    h.setUriCompliance(UriCompliance.UNSAFE);
                }
            });
        }
        env.getApplicationContext().getServletHandler().setDecodeAmbiguousURIs(true);
        env.jersey().setUrlPattern("/_jersey/*");
    }

    /** Header values kept as sent, on every connector ({@link S3Servlet#keepHeaderValues}). */
    private static void keepHeaderValuesAsSent(Environment env) {
        env.lifecycle().addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                if (event instanceof Server server) {
                    // Dropwizard wraps each factory in a metrics decorator that holds it as a bean.
                    for (HttpConnectionFactory http : server.getContainedBeans(HttpConnectionFactory.class)) {
                        S3Servlet.keepHeaderValues(http.getHttpConfiguration());
                    }
                }
            }
        });
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static void manage(Environment env, AutoCloseable resource) {
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() throws Exception {
                resource.close();
            }
        });
    }
}
