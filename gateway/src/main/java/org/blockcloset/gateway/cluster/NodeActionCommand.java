package org.blockcloset.gateway.cluster;

import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code ops/blockcloset drain NODE} and {@code ops/blockcloset remove NODE [--force]} (ADR 0011):
 * the admin API's {@code POST /api/nodes/NODE/drain|remove} on this host's node (or {@code --node
 * ADMIN_URL}). Prints the answer; exit status 0 when the node accepted, 1 otherwise.
 */
public final class NodeActionCommand extends Command {
    private final String action;

    public NodeActionCommand(String action, String description) {
        super(action, description);
        this.action = action;
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("nodeId").help("the node's id (ops/blockcloset status lists them)");
        subparser.addArgument("--node").help("the admin URL of the member to ask (default: this host's)");
        if (action.equals("remove")) {
            subparser.addArgument("--force").action(net.sourceforge.argparse4j.impl.Arguments.storeTrue())
                    .help("remove it even if its blocks are not all copied elsewhere yet (may lose data)");
        }
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
        String node = StatusCommand.adminUrl(namespace.getString("node"));
        String path = "/api/nodes/" + URLEncoder.encode(namespace.getString("nodeId"), StandardCharsets.UTF_8) + "/" + action
                + (Boolean.TRUE.equals(namespace.getBoolean("force")) ? "?force=true" : "");
        HttpResponse<String> r = StatusCommand.call(node, "POST", path);
        System.out.println(r.body());
        if (r.statusCode() / 100 != 2) {
            System.exit(1);
        }
    }
}
