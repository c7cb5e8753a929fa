package org.blockcloset.storage.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An answer's body as bytes, up to a bound: a peer that declares or sends more is cut off with an
 * IOException instead of filling the heap (another node, even a member, is not trusted with this
 * node's memory).
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    /** The most a block (BLOCKCLOSET_BLOCK_SIZE is at most 64 MiB) or a page of JSON may take. */
    static final int MAX_BLOCK = 64 << 20;
    static final int MAX_JSON = 4 << 20;

    private final int max;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    private BoundedBody(int max) {
        this.max = max;
    }

    /** A handler that refuses a declared length over {@code max} before reading, and stops reading past it. */
    static HttpResponse.BodyHandler<byte[]> upTo(int max) {
        return info -> {
            long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            BoundedBody body = new BoundedBody(max);
            if (declared > max) {
                body.result.completeExceptionally(new IOException("the answer declares " + declared + " bytes; at most " + max + " taken"));
            }
            return body;
        };
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (result.isDone()) {
            s.cancel();
        } else {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            if (bytes.size() + (long) b.remaining() > max) {
                subscription.cancel();
                result.completeExceptionally(new IOException("the answer is longer than " + max + " bytes"));
                return;
            }
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            bytes.write(chunk, 0, chunk.length);
        }
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        result.complete(bytes.toByteArray());
    }
}
