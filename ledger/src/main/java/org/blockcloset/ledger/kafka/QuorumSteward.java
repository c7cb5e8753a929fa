package org.blockcloset.ledger.kafka;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.RaftVoterEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the metadata quorum at three live voters (ADR 0011): every node runs a KRaft controller,
 * the first three as voters and the others as observers that follow the metadata log. When a voter's
 * node is gone (recorded as failed past the repair grace, or removed) and its controller has been
 * silent for 10 s, it is taken out of the voters
 * and a caught-up observer on a live node is added in its place, so the cluster survives the next
 * failure as well as it did the first. Kafka's own Admin calls do it (KIP-853's removeRaftVoter and
 * addRaftVoter); one voter change at a time. Idempotent: any node may run it at any time.
 */
public final class QuorumSteward {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumSteward.class);
    public static final int VOTERS = 3;
    /** An observer this many records or more behind the leader is not promoted yet. */
    private static final long CAUGHT_UP_WITHIN = 1_000;
    /** ... and one that has not fetched for this long is not either; a voter is removed only after this long silent. */
    private static final long FETCHED_WITHIN_MS = 10_000;

    private QuorumSteward() {
    }

    /** A node that could be a voter: its KRaft id and its controller listener. */
    public record Candidate(int kraftId, String host, int controllerPort) {
    }

    /**
     * One step towards {@link #VOTERS} live voters: removes a gone voter, or else adds the first
     * caught-up candidate that is not a voter yet. Returns what it did, or empty when nothing was needed
     * or possible.
     *
     * @param gone       KRaft ids of nodes recorded as failed or removed
     * @param candidates live nodes that may vote, in order of preference
     */
    public static Optional<String> step(Admin admin, IntPredicate gone, List<Candidate> candidates)
            throws ExecutionException, InterruptedException, TimeoutException {
        QuorumInfo q = admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS);
        Set<Integer> voters = q.voters().stream().map(QuorumInfo.ReplicaState::replicaId).collect(Collectors.toSet());
        // Only a voter that is silent too: a node recorded as failed may be running again (restarted, or
        // resumed after a pause). Removing a voter that answers the leader's BeginQuorumEpoch heartbeat
        // crashes the leader when the answer lands after the removal (Kafka 4.4: "Unexpected
        // acknowledgement from non-voter", a fatal fault; seen in RepairIT when the dead node came back).
        long silentSince = System.currentTimeMillis() - FETCHED_WITHIN_MS;
        Optional<QuorumInfo.ReplicaState> deadVoter = q.voters().stream()
                .filter(v -> gone.test(v.replicaId()) && v.replicaId() != q.leaderId()
                        && v.lastFetchTimestamp().orElse(0) < silentSince)
                .min(Comparator.comparingInt(QuorumInfo.ReplicaState::replicaId));
        long live = q.voters().stream().filter(v -> !gone.test(v.replicaId())).count();
        // Taking a dead voter out keeps the majority among the living; never take out the last ones.
        if (deadVoter.isPresent() && live >= 2) {
            QuorumInfo.ReplicaState v = deadVoter.get();
            admin.removeRaftVoter(v.replicaId(), v.replicaDirectoryId()).all().get(30, TimeUnit.SECONDS);
            String done = "removed the gone node's controller (KRaft id " + v.replicaId() + ") from the voters";
            LOG.info("Metadata quorum: {}", done);
            return Optional.of(done);
        }
        if (voters.size() - (deadVoter.isPresent() ? 1 : 0) >= VOTERS) {
            return Optional.empty();
        }
        long leaderEnd = q.voters().stream().filter(v -> v.replicaId() == q.leaderId()).mapToLong(QuorumInfo.ReplicaState::logEndOffset)
                .findFirst().orElse(Long.MAX_VALUE);
        for (Candidate c : candidates) {
            if (voters.contains(c.kraftId()) || gone.test(c.kraftId())) {
                continue;
            }
            Optional<QuorumInfo.ReplicaState> observer = q.observers().stream().filter(o -> o.replicaId() == c.kraftId()).findFirst();
            if (observer.isEmpty() || leaderEnd - observer.get().logEndOffset() > CAUGHT_UP_WITHIN
                    || observer.get().lastFetchTimestamp().orElse(0) < System.currentTimeMillis() - FETCHED_WITHIN_MS) {
                continue; // not following the metadata log (yet), far behind, or silent
            }
            admin.addRaftVoter(c.kraftId(), observer.get().replicaDirectoryId(),
                    Set.of(new RaftVoterEndpoint(EmbeddedKafka.CONTROLLER_LISTENER, c.host(), c.controllerPort())))
                    .all().get(30, TimeUnit.SECONDS);
            String done = "added node with KRaft id " + c.kraftId() + " to the voters";
            LOG.info("Metadata quorum: {}", done);
            return Optional.of(done);
        }
        return Optional.empty();
    }

    /** The current voters' KRaft ids, for reports. */
    public static List<Integer> voters(Admin admin) throws ExecutionException, InterruptedException, TimeoutException {
        return admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).voters().stream()
                .map(QuorumInfo.ReplicaState::replicaId).sorted().toList();
    }
}
