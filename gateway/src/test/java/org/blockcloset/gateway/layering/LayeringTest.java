package org.blockcloset.gateway.layering;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of ADR 0016, held by ArchUnit over every module's main classes: the ledger at the
 * bottom (no servlet type, nothing from the modules above it), the storage agent and the console on
 * the ledger and never on the gateway, Kafka Streams nowhere outside the ledger, no package cycle, and
 * repair, scrub, GC and the cluster's care in the storage agent, and no servlet in the gateway but S3's. Each rule is
 * also shown to catch a planted violation (test classes the main import leaves out).
 */
class LayeringTest {
    private static JavaClasses main;

    static final ArchRule LEDGER_IS_THE_BOTTOM = noClasses().that().resideInAPackage("org.blockcloset.ledger..")
            .should().dependOnClassesThat().resideInAnyPackage("org.blockcloset.gateway..", "org.blockcloset.admin..",
                    "org.blockcloset.storage..", "jakarta.servlet..", "org.eclipse.jetty..", "io.dropwizard..")
            .because("the ledger depends on no module above it and knows no HTTP (ADR 0016)");

    static final ArchRule STORAGE_AGENT_BELOW_THE_GATEWAY = noClasses().that().resideInAPackage("org.blockcloset.storage..")
            .should().dependOnClassesThat().resideInAnyPackage("org.blockcloset.gateway..", "org.blockcloset.admin..")
            .because("the storage agent builds on the ledger, beside the console (ADR 0016)");

    static final ArchRule CONSOLE_BELOW_THE_GATEWAY = noClasses().that().resideInAPackage("org.blockcloset.admin..")
            .should().dependOnClassesThat().resideInAPackage("org.blockcloset.gateway..")
            .because("the console calls the node through ConsoleBackend, which the gateway implements (ADR 0016)");

    static final ArchRule STREAMS_ONLY_IN_THE_LEDGER = noClasses().that().resideOutsideOfPackage("org.blockcloset.ledger..")
            .and().resideInAPackage("org.blockcloset..")
            .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.streams..")
            .because("views are read through the ledger's API, in its own words (ViewsUnavailableException, viewsRunning)");

    /** Kafka's clients stay in the ledger too: the heartbeats and the log's stewards are the ledger's (ADR 0016). */
    static final ArchRule KAFKA_CLIENTS_ONLY_IN_THE_LEDGER = noClasses().that().resideOutsideOfPackage("org.blockcloset.ledger..")
            .and().resideInAPackage("org.blockcloset..")
            .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..")
            .because("Kafka is the ledger's business (ADR 0016)");

    /**
     * No two packages need each other: shared types sit in a leaf (the S3 errors in
     * {@code gateway.error}, the event codec in {@code ledger.codec}), not in one of their users.
     */
    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("org.blockcloset.(**)").should().beFreeOfCycles()
            .because("a package that needs another which needs it back cannot be read, tested or moved alone (ADR 0016)");

    /** Repair, scrub and GC consume placement: the storage agent's work, not the S3 front door's. */
    static final ArchRule BLOCK_CARE_IN_THE_STORAGE_AGENT = classes().that().haveSimpleNameEndingWith("Repairer")
            .or().haveSimpleNameEndingWith("Scrubber").or().haveSimpleNameEndingWith("GcScheduler")
            .or().haveSimpleName("BlockPlacement")
            .should().resideInAPackage("org.blockcloset.storage..")
            .because("storage agents keep, copy, repair and collect blocks (design; ADR 0016)");

    /**
     * The cluster's care is the storage agents': joining, membership, failure and redundancy watch,
     * lifecycle expiry (ADR 0016, step 10).
     */
    static final ArchRule CLUSTER_CARE_IN_THE_STORAGE_AGENT = noClasses().that().haveSimpleName("FailureSteward")
            .or().haveSimpleName("Membership").or().haveSimpleName("Redundancy").or().haveSimpleName("ClusterWatch")
            .or().haveSimpleName("Lifecycle").or().haveSimpleName("Join").or().haveSimpleName("JoinServlet")
            .or().haveSimpleName("JoinClient").or().haveSimpleName("Discovery").or().haveSimpleName("NodeService")
            .should().resideInAnyPackage("org.blockcloset.gateway..", "org.blockcloset.admin..")
            .because("storage agents cooperate: join, watch each other, repair (design; ADR 0016)");

    /** gateway/ is the S3 front door and the wiring: its only servlet is S3's; the admin API sits beside the console. */
    static final ArchRule GATEWAY_SERVES_ONLY_S3 = classes().that().resideInAPackage("org.blockcloset.gateway..")
            .and().areAssignableTo(jakarta.servlet.http.HttpServlet.class)
            .should().resideInAPackage("org.blockcloset.gateway.s3")
            .because("the admin port's servlets are admin/'s, the cluster port's the storage agent's (ADR 0016)");

    private static final List<ArchRule> RULES = List.of(LEDGER_IS_THE_BOTTOM, STORAGE_AGENT_BELOW_THE_GATEWAY,
            CONSOLE_BELOW_THE_GATEWAY, STREAMS_ONLY_IN_THE_LEDGER, KAFKA_CLIENTS_ONLY_IN_THE_LEDGER, NO_PACKAGE_CYCLES,
            BLOCK_CARE_IN_THE_STORAGE_AGENT, CLUSTER_CARE_IN_THE_STORAGE_AGENT, GATEWAY_SERVES_ONLY_S3);

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.blockcloset");
    }

    @Test
    void everyModuleKeepsToItsLayer() {
        assertTrue(main.size() > 300, "the import found the main classes of every module: " + main.size());
        for (String module : List.of("org.blockcloset.ledger", "org.blockcloset.storage", "org.blockcloset.admin", "org.blockcloset.gateway")) {
            assertTrue(main.containPackage(module), "classes of " + module + " imported");
        }
        for (ArchRule rule : RULES) {
            rule.check(main);
        }
    }

    @Test
    void theRulesCatchPlantedViolations() {
        JavaClasses planted = new ClassFileImporter().importClasses(org.blockcloset.ledger.planted.LedgerWithAServlet.class,
                PlantedStreamsUser.class);
        EvaluationResult ledger = LEDGER_IS_THE_BOTTOM.evaluate(planted);
        assertTrue(ledger.hasViolation(), "a ledger class using the servlet API is caught");
        EvaluationResult streams = STREAMS_ONLY_IN_THE_LEDGER.evaluate(planted);
        assertTrue(streams.hasViolation(), "a gateway class using Kafka Streams is caught");
        assertTrue(KAFKA_CLIENTS_ONLY_IN_THE_LEDGER.evaluate(planted).hasViolation(), "a gateway class using Kafka is caught");
        assertTrue(ledger.getFailureReport().toString().contains("LedgerWithAServlet")
                && !ledger.getFailureReport().toString().contains("PlantedStreamsUser"), "each blamed for its own");
        JavaClasses cycle = new ClassFileImporter().importClasses(org.blockcloset.gateway.planted.ping.Ping.class,
                org.blockcloset.gateway.planted.pong.Pong.class);
        assertTrue(NO_PACKAGE_CYCLES.evaluate(cycle).hasViolation(), "a package cycle is caught");
        JavaClasses misplaced = new ClassFileImporter().importClasses(PlantedRepairer.class);
        assertTrue(BLOCK_CARE_IN_THE_STORAGE_AGENT.evaluate(misplaced).hasViolation(), "a repairer in the gateway is caught");
        JavaClasses gatewayWork = new ClassFileImporter().importClasses(Membership.class, PlantedAdminServlet.class);
        EvaluationResult care = CLUSTER_CARE_IN_THE_STORAGE_AGENT.evaluate(gatewayWork);
        assertTrue(care.hasViolation() && care.getFailureReport().toString().contains("LayeringTest$Membership"),
                "membership in the gateway is caught");
        EvaluationResult servlets = GATEWAY_SERVES_ONLY_S3.evaluate(gatewayWork);
        assertTrue(servlets.hasViolation() && servlets.getFailureReport().toString().contains("PlantedAdminServlet"),
                "an admin servlet in the gateway is caught");
    }

    /** Membership back in the gateway. */
    static final class Membership {
    }

    /** An admin API route back in the gateway. */
    static final class PlantedAdminServlet extends jakarta.servlet.http.HttpServlet {
    }

    /** Repair back in the gateway, where it was before issue 18. */
    static final class PlantedRepairer {
    }

    /** A gateway-side class reaching into Kafka Streams, as S3Servlet did. */
    static final class PlantedStreamsUser {
        boolean running(org.apache.kafka.streams.KafkaStreams streams) {
            return streams.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING;
        }
    }
}
