package org.blockcloset.gateway.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The wait for a block's write quorum returns as soon as the quorum holds, however the copies race it. */
class AwaitQuorumTest {
    /** Well under the 4 s a wait may last when the quorum cannot be reached. */
    private static final Duration PROMPTLY = Duration.ofSeconds(1);

    @Test
    void returnsOnceTheQuorumHoldsWhileAThirdCopyHangs() {
        CompletableFuture<Void> local = CompletableFuture.completedFuture(null);
        CompletableFuture<Void> remote = new CompletableFuture<>();
        CompletableFuture<Void> hung = new CompletableFuture<>();
        new Thread(() -> remote.complete(null)).start();
        int ok = assertTimeoutPreemptively(PROMPTLY, () -> WriteSet.awaitQuorum(List.of(local, remote, hung), 2));
        assertEquals(2, ok);
    }

    @Test
    void aCopyFinishingWhileTheOthersAreCountedIsNotLost() {
        // Pending when first looked at, done from then on: a copy landing in the middle of the wait's pass.
        CompletableFuture<Void> landing = new CompletableFuture<>() {
            private boolean looked;

            @Override
            public boolean isDone() {
                if (!looked) {
                    looked = true;
                    complete(null);
                    return false;
                }
                return super.isDone();
            }
        };
        CompletableFuture<Void> local = CompletableFuture.completedFuture(null);
        CompletableFuture<Void> hung = new CompletableFuture<>();
        int ok = assertTimeoutPreemptively(PROMPTLY, () -> WriteSet.awaitQuorum(List.of(local, landing, hung), 2));
        assertEquals(2, ok);
    }

    @Test
    void failedCopiesDoNotCount() {
        CompletableFuture<Void> local = CompletableFuture.completedFuture(null);
        CompletableFuture<Void> failed = CompletableFuture.failedFuture(new java.io.IOException("refused"));
        int ok = assertTimeoutPreemptively(PROMPTLY, () -> WriteSet.awaitQuorum(List.of(local, failed), 2));
        assertEquals(1, ok);
    }
}
