package org.blockcloset.admin;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import jakarta.servlet.DispatcherType;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;

/** Puts the console and its door ({@link ConsoleGuard}) on a node's admin port. */
public final class Console {
    private final SetupCode setupCode;
    private final ConsoleBackend backend;

    private Console(SetupCode setupCode, ConsoleBackend backend) {
        this.setupCode = setupCode;
        this.backend = backend;
    }

    /**
     * @param metricsToken when set, {@code /metrics} needs it as a bearer token; when blank it is open
     */
    public static Console install(Environment env, ConsoleBackend backend, Path dataDir, String metricsToken, RequestLog requests,
                                  java.time.Duration chartInterval) throws java.io.IOException {
        ConsoleDb db = ConsoleDb.open(dataDir.resolve("console"));
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                db.close();
            }
        });
        ConsoleAuth auth = new ConsoleAuth(db, Clock.systemUTC());
        // The overview's charts: one sample of the request log per interval, kept a day, in H2.
        java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "console-charts");
            t.setDaemon(true);
            return t;
        });
        env.lifecycle().manage(new Managed() {
            @Override
            public void start() {
                long every = Math.max(1000, chartInterval.toMillis());
                sampler.scheduleAtFixedRate(() -> {
                    try {
                        long now = System.currentTimeMillis();
                        db.charts().put(requests.endInterval(now));
                        db.charts().deleteBefore(now - java.time.Duration.ofDays(1).toMillis());
                    } catch (RuntimeException e) {
                        org.slf4j.LoggerFactory.getLogger(Console.class).warn("chart sample not kept: {}", e.toString());
                    }
                }, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
            }

            @Override
            public void stop() {
                sampler.shutdownNow();
            }
        });
        SetupCode code = new SetupCode();
        AdminAccess access = new AdminAccess(auth, metricsToken);
        env.admin().addFilter("console-guard", new ConsoleGuard(access))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        env.admin().addServlet("console", new ConsoleServlet(backend, auth, access, code, env.healthChecks(), env.metrics(),
                        requests, db, chartInterval))
                .addMapping("/console/*");
        // Every servlet on the admin port checks its callers itself, the filter in front or not: the
        // ones that do not (Dropwizard's tasks, /threads, /pprof, /metrics, its menu, Prometheus') are
        // wrapped as the server starts, once Dropwizard has added its own.
        env.lifecycle().addEventListener(new org.eclipse.jetty.util.component.LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(org.eclipse.jetty.util.component.LifeCycle event) {
                FailClosedServlet.wrapAll(env.getAdminContext().getServletHandler(), access);
            }
        });
        // The same metrics as /metrics, in Prometheus' text format (behind the metrics token when one is set).
        io.prometheus.metrics.model.registry.PrometheusRegistry prometheus = new io.prometheus.metrics.model.registry.PrometheusRegistry();
        io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports.builder().dropwizardRegistry(env.metrics())
                .register(prometheus);
        env.admin().addServlet("prometheus", new io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet(prometheus))
                .addMapping("/metrics/prometheus");
        return new Console(code, backend);
    }

    /** The one-time setup code while the console is not set up, else null. */
    public String pendingSetupCode() {
        return backend.ledger().views().console().isPresent() ? null : setupCode.code();
    }
}
