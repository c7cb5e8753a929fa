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
    public static Console install(Environment env, ConsoleBackend backend, Path dataDir, String metricsToken) throws java.io.IOException {
        ConsoleDb db = ConsoleDb.open(dataDir.resolve("console"));
        env.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                db.close();
            }
        });
        ConsoleAuth auth = new ConsoleAuth(db, Clock.systemUTC());
        SetupCode code = new SetupCode();
        env.admin().addFilter("console-guard", new ConsoleGuard(auth, metricsToken))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        env.admin().addServlet("console", new ConsoleServlet(backend, auth, code, env.healthChecks()))
                .addMapping("/console/*");
        return new Console(code, backend);
    }

    /** The one-time setup code while the console is not set up, else null. */
    public String pendingSetupCode() {
        return backend.ledger().views().console().isPresent() ? null : setupCode.code();
    }
}
