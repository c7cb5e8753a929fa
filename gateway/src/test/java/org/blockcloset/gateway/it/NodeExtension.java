package org.blockcloset.gateway.it;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One {@link Node} per test class, with a default {@link Node#client() client}: the node starts in a
 * fresh temp directory before the class's {@code @BeforeAll} methods and stops (and the directory
 * goes) after its {@code @AfterAll} methods. Register it on a static field:
 * <pre>{@code @RegisterExtension
 * static final NodeExtension NODE = new NodeExtension();}</pre>
 */
final class NodeExtension implements BeforeAllCallback, AfterAllCallback {
    private final Map<String, String> extraEnv;
    private Path dir;
    private Node node;
    private S3Client s3;

    NodeExtension() {
        this(Map.of());
    }

    /** A node started with these environment variables on top of {@link Node}'s own. */
    NodeExtension(Map<String, String> extraEnv) {
        this.extraEnv = Map.copyOf(extraEnv);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = TempDirs.create("blockcloset-it-");
        node = Node.start(dir.resolve("node"), extraEnv);
        s3 = node.client();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (s3 != null) {
                s3.close();
            }
        } finally {
            try {
                if (node != null) {
                    node.close();
                }
            } finally {
                s3 = null;
                node = null;
                if (dir != null) {
                    TempDirs.delete(dir);
                    dir = null;
                }
            }
        }
    }

    Node node() {
        if (node == null) {
            throw new IllegalStateException("no node: the extension runs only around a test class");
        }
        return node;
    }

    S3Client s3() {
        if (s3 == null) {
            throw new IllegalStateException("no client: the extension runs only around a test class");
        }
        return s3;
    }
}
