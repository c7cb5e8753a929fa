package org.blockcloset.storage.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finding the cluster on the LAN (ADR 0009, discovery): members announce {@value #SERVICE_TYPE}
 * over mDNS/DNS-SD (JmDNS) with their join address in the TXT record; a node started with a join
 * token and no {@code BLOCKCLOSET_JOIN} announces itself as waiting, browses for members, and joins
 * through the first whose cluster accepts its token. Nothing secret is announced or needed: the
 * join itself proves the token with an HMAC over the request and gets its answer sealed with the
 * token's key, so a stranger answering on the LAN learns nothing and can let nobody in.
 */
public final class Discovery implements AutoCloseable {
    public static final String SERVICE_TYPE = "_blockcloset._tcp.local.";
    /** TXT keys: the announcer's state ({@link #MEMBER} or {@link #WAITING}), node id, cluster port address, cluster id. */
    static final String STATE = "state";
    static final String NODE = "node";
    static final String JOIN = "join";
    static final String CLUSTER = "cluster";
    public static final String MEMBER = "member";
    public static final String WAITING = "waiting";
    /** {@code BLOCKCLOSET_JOIN=discover}: find the cluster on the LAN (the default when only a token is given). */
    public static final String DISCOVER = "discover";
    private static final Logger LOG = LoggerFactory.getLogger(Discovery.class);
    private static final long LIST_TIMEOUT_MS = 1500;
    private static final Duration HINT_EVERY = Duration.ofMinutes(1);

    /** What {@code BLOCKCLOSET_DISCOVERY} allows: announce and browse, or neither. */
    public enum Mode {
        /** Announce only when the node's advertised address is not a loopback address (a host on a LAN). */
        AUTO,
        ON,
        OFF;

        public static Mode parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("BLOCKCLOSET_DISCOVERY must be auto, on or off, not '" + text + "'");
            }
        }

        public boolean enabledFor(InetAddress advertised) {
            return this == ON || (this == AUTO && !advertised.isLoopbackAddress() && !advertised.isAnyLocalAddress());
        }
    }

    /** A join's answer and the member it came through. */
    public record Joined(String through, Join.Answer answer) {
    }

    /** A node seen on the LAN: a member of some cluster, or a node waiting to be let in. */
    public record Seen(String nodeId, String state, String address, String join, String cluster, Instant since) {
    }

    /** The most entries a listing takes, the longest name or address in one, and the most first-seen times kept. */
    static final int MAX_SEEN = 64;
    static final int MAX_FIELD = 255;
    static final int MAX_REMEMBERED = 1024;
    private final JmDNS mdns;
    private final Clock clock;
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

    private Discovery(JmDNS mdns, Clock clock) {
        this.mdns = mdns;
        this.clock = clock;
    }

    /** Starts mDNS on the interface of {@code address} (the node's advertised address). */
    public static Discovery start(InetAddress address, String hostName, Clock clock) throws IOException {
        return new Discovery(JmDNS.create(address, hostName), clock);
    }

    /**
     * Announces this node: {@code state} is {@link #MEMBER} (with the cluster's id) or {@link #WAITING}.
     * Blocks until the announcement went out (a second or two).
     */
    public void announce(String nodeId, String state, String joinAddress, String clusterId) throws IOException {
        Map<String, String> txt = new LinkedHashMap<>();
        txt.put(STATE, state);
        txt.put(NODE, nodeId);
        txt.put(JOIN, joinAddress);
        txt.put(CLUSTER, clusterId == null ? "" : clusterId);
        mdns.unregisterAllServices();
        int port = Integer.parseInt(joinAddress.substring(joinAddress.lastIndexOf(':') + 1));
        mdns.registerService(ServiceInfo.create(SERVICE_TYPE, nodeId, port, 0, 0, txt));
        LOG.info("Announced on the LAN as {} ({})", nodeId, state);
    }

    /** Every Block Closet node answering on the LAN now, this one included. */
    public List<Seen> seen() {
        List<Seen> out = new ArrayList<>();
        Instant now = clock.instant();
        // Anyone on the LAN can announce: take a bounded number of well-sized entries, and forget
        // when they were first seen once there are too many names to remember.
        if (firstSeen.size() > MAX_REMEMBERED) {
            firstSeen.clear();
        }
        for (ServiceInfo info : mdns.list(SERVICE_TYPE, LIST_TIMEOUT_MS)) {
            String node = info.getPropertyString(NODE);
            String join = info.getPropertyString(JOIN);
            if (node == null || join == null || out.size() >= MAX_SEEN || node.length() > MAX_FIELD || join.length() > MAX_FIELD
                    || join.lastIndexOf(':') < 0) {
                continue; // not ours, not resolved yet, or not a size a node announces
            }
            String[] addresses = info.getHostAddresses();
            String address = addresses.length > 0 ? addresses[0] : join.substring(0, join.lastIndexOf(':'));
            Instant since = firstSeen.computeIfAbsent(node + "/" + info.getPropertyString(STATE), k -> now);
            out.add(new Seen(node, Objects.requireNonNullElse(info.getPropertyString(STATE), ""), address, join,
                    Objects.requireNonNullElse(info.getPropertyString(CLUSTER), ""), since));
        }
        return out;
    }

    /** The members seen on the LAN, to join through. */
    public List<Seen> members() {
        return seen().stream().filter(s -> MEMBER.equals(s.state())).toList();
    }

    /**
     * The joining node's side: announces itself as waiting on the interface of {@code address}, and
     * tries the token with every member it sees until one's cluster takes it. Without a token it
     * waits, announced, for an admin to restart it with one; it never joins without a valid token.
     * Returns only once joined (a service waits as long as it takes; each minute it logs why).
     */
    public static Joined findAndJoin(InetAddress address, String joinAddress, Join.Request self, String token)
            throws IOException, InterruptedException {
        try (Discovery d = start(address, self.nodeId(), Clock.systemUTC())) {
            d.announce(self.nodeId(), WAITING, joinAddress, null);
            Map<String, String> refused = new LinkedHashMap<>(); // member's join address → why
            Instant hinted = Instant.EPOCH;
            while (true) {
                List<Seen> members = d.members();
                if (token != null) {
                    for (Seen m : members) {
                        try {
                            Join.Answer a = JoinClient.join(m.join(), token, self);
                            return new Joined(m.join() + " (found on the LAN)", a);
                        } catch (IOException e) {
                            if (refused.put(m.join(), e.getMessage()) == null) {
                                LOG.warn("Member {} of cluster {} did not let this node in: {}", m.join(), m.cluster(), e.getMessage());
                            }
                        }
                    }
                }
                Instant now = Instant.now();
                if (Duration.between(hinted, now).compareTo(HINT_EVERY) >= 0) {
                    hinted = now;
                    LOG.info(token == null
                            ? "Waiting to be let in as {}: {} member(s) seen on the LAN; create a join token on any member and "
                                    + "start this node again with BLOCKCLOSET_JOIN_TOKEN=<token>"
                            : "Looking for a cluster that takes this node's join token ({}; {} member(s) seen on the LAN, "
                                    + "refused by " + refused.size() + "); a token is single use and expires",
                            self.nodeId(), members.size());
                }
                Thread.sleep(1000);
            }
        }
    }

    @Override
    public void close() throws IOException {
        mdns.unregisterAllServices();
        mdns.close();
    }
}
