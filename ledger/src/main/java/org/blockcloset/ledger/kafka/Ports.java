package org.blockcloset.ledger.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks free TCP ports for listeners.
 *
 * <p>Ports are drawn from [{@value #MIN_PORT}, {@value #MAX_PORT_EXCLUSIVE}), below Linux's
 * ephemeral range (32768+): a listener port inside that range can be taken by a peer's own
 * outgoing connection (TCP self-connect) and the node then fails to start.
 */
public final class Ports {

    /** Lowest port handed out. */
    public static final int MIN_PORT = 20000;
    /** One past the highest port handed out; stays below the ephemeral range (32768). */
    public static final int MAX_PORT_EXCLUSIVE = 32000;
    /** Random probes before giving up. */
    private static final int ATTEMPTS = 200;
    /** Ports already handed out by this JVM, so two calls in a row never return the same port. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {
    }

    /**
     * Returns a port in [20000, 32000) that could be bound on 127.0.0.1 just now and has not been
     * returned before by this JVM. There is an unavoidable race with other processes between this
     * check and the real bind.
     *
     * @throws UncheckedIOException if no free port was found
     */
    public static int freePort() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = random.nextInt(MIN_PORT, MAX_PORT_EXCLUSIVE);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(loopback, port));
            } catch (IOException taken) {
                continue;
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new UncheckedIOException(new IOException("no free TCP port in [" + MIN_PORT + ", "
                + MAX_PORT_EXCLUSIVE + ") on " + loopback + " after " + ATTEMPTS + " attempts"));
    }
}
