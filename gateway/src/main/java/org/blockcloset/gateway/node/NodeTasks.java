package org.blockcloset.gateway.node;

import org.blockcloset.storage.node.NodeIdentity;
import org.blockcloset.storage.care.GcScheduler;
import io.dropwizard.servlets.tasks.Task;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.blockcloset.storage.care.Scrubber;
import org.blockcloset.ledger.EventLog;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.view.Replay;
import org.blockcloset.ledger.view.Views;

/**
 * Dropwizard tasks on the admin port (behind the console's login, like every /tasks route):
 * {@code POST /tasks/scrub} re-reads this node's blocks now, {@code POST /tasks/gc} collects
 * unreferenced blocks now, {@code POST /tasks/rebuild-views} folds the whole log again in memory
 * and compares it with this node's views (with {@code ?reset=true} the node also takes a new views
 * id, so its next start builds its views from the first event of the log).
 */
public final class NodeTasks {
    private NodeTasks() {
    }

    public static Task scrub(Scrubber scrubber) {
        return new Task("scrub") {
            @Override
            public void execute(Map<String, List<String>> parameters, PrintWriter output) {
                scrubber.scrubNow();
                output.println("scrub started: " + scrubber.status());
            }
        };
    }

    public static Task gc(GcScheduler gc) {
        return new Task("gc") {
            @Override
            public void execute(Map<String, List<String>> parameters, PrintWriter output) throws Exception {
                output.println("garbage collection: " + gc.runOnce());
            }
        };
    }

    public static Task rebuildViews(Ledger ledger, Path dataDir, NodeIdentity identity) {
        return new Task("rebuild-views") {
            @Override
            public void execute(Map<String, List<String>> parameters, PrintWriter output) throws Exception {
                Replay replay = new Replay();
                long end;
                try (EventLog log = ledger.openEventLog()) {
                    end = log.end();
                    log.forEach(0, end, e -> replay.apply(e.event(), e.offset(), e.appended()));
                }
                ledger.catchUp();
                List<String> differences = compare(replay.views(), ledger.views());
                output.println("folded " + replay.events() + " events (log end " + end + ") in memory; "
                        + (differences.isEmpty() ? "this node's views match them" : differences.size() + " difference(s):"));
                differences.forEach(d -> output.println("  " + d));
                if (parameters.getOrDefault("reset", List.of()).contains("true")) {
                    String viewsId = NodeIdentity.FIRST_VIEWS_ID + "-" + UUID.randomUUID().toString().substring(0, 8);
                    NodeIdentity.load(dataDir).orElse(identity).withViewsId(viewsId).store(dataDir);
                    output.println("this node takes views id " + viewsId + ": restart it and its views are built again from the "
                            + "first event of the log (reads wait until they have caught up)");
                }
            }
        };
    }

    /** What differs between views folded from the log and the node's: buckets, their contents, keys, members. */
    static List<String> compare(Views folded, Views live) {
        List<String> out = new java.util.ArrayList<>();
        Map<String, Bucket> a = new java.util.TreeMap<>();
        folded.buckets().forEach(b -> a.put(b.name(), b));
        Map<String, Bucket> b = new java.util.TreeMap<>();
        live.buckets().forEach(x -> b.put(x.name(), x));
        java.util.Set<String> names = new java.util.TreeSet<>(a.keySet());
        names.addAll(b.keySet());
        for (String name : names) {
            if (!Objects.equals(a.get(name), b.get(name))) {
                out.add("bucket " + name + ": log says " + a.get(name) + ", views say " + b.get(name));
            } else if (!folded.bucketStats(name).equals(live.bucketStats(name))) {
                out.add("bucket " + name + " contents: log says " + folded.bucketStats(name) + ", views say " + live.bucketStats(name));
            }
        }
        if (folded.accessKeys().size() != live.accessKeys().size()) {
            out.add("access keys: log says " + folded.accessKeys().size() + ", views say " + live.accessKeys().size());
        }
        if (folded.nodes().size() != live.nodes().size()) {
            out.add("members: log says " + folded.nodes().size() + ", views say " + live.nodes().size());
        }
        return out;
    }
}
