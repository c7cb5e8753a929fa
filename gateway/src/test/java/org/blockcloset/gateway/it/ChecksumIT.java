package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.S3Asserts.assertS3Error;
import static org.blockcloset.gateway.it.S3Asserts.md5Hex;
import static org.blockcloset.gateway.it.S3Asserts.quoted;
import static org.blockcloset.gateway.it.S3Asserts.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.checksums.spi.ChecksumAlgorithm;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Integrity: additional checksums (CRC32, CRC32C, SHA1, SHA256, CRC64NVME; the SDK computes the
 * last one through aws-crt, a test dependency) stored and returned, wrong digests refused, and
 * concurrent overwrites of one key never mixing bodies.
 */
class ChecksumIT {
    private static final String BUCKET = "checksums";

    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();

    @BeforeAll
    static void start() throws Exception {
        NODE.s3().createBucket(b -> b.bucket(BUCKET));
    }

    /** The algorithms as the SDK model names them, with their local digest and response getters. */
    enum Algo {
        CRC32(DefaultChecksumAlgorithm.CRC32, PutObjectResponse::checksumCRC32, GetObjectResponse::checksumCRC32,
                HeadObjectResponse::checksumCRC32),
        CRC32C(DefaultChecksumAlgorithm.CRC32C, PutObjectResponse::checksumCRC32C, GetObjectResponse::checksumCRC32C,
                HeadObjectResponse::checksumCRC32C),
        SHA1(DefaultChecksumAlgorithm.SHA1, PutObjectResponse::checksumSHA1, GetObjectResponse::checksumSHA1,
                HeadObjectResponse::checksumSHA1),
        SHA256(DefaultChecksumAlgorithm.SHA256, PutObjectResponse::checksumSHA256, GetObjectResponse::checksumSHA256,
                HeadObjectResponse::checksumSHA256),
        CRC64NVME(DefaultChecksumAlgorithm.CRC64NVME, PutObjectResponse::checksumCRC64NVME,
                GetObjectResponse::checksumCRC64NVME, HeadObjectResponse::checksumCRC64NVME);

        final ChecksumAlgorithm sdk;
        final Function<PutObjectResponse, String> put;
        final Function<GetObjectResponse, String> get;
        final Function<HeadObjectResponse, String> head;

        Algo(ChecksumAlgorithm sdk, Function<PutObjectResponse, String> put, Function<GetObjectResponse, String> get,
             Function<HeadObjectResponse, String> head) {
            this.sdk = sdk;
            this.put = put;
            this.get = get;
            this.head = head;
        }

        String base64(byte[] data) {
            SdkChecksum c = SdkChecksum.forAlgorithm(sdk);
            c.update(data, 0, data.length);
            return Base64.getEncoder().encodeToString(c.getChecksumBytes());
        }
    }

    @Test
    void localDigestsMatchKnownVectors() {
        byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals("y/Q5Jg==", Algo.CRC32.base64(check)); // 0xCBF43926
        assertEquals("4waSgw==", Algo.CRC32C.base64(check)); // 0xE3069283
        assertEquals("rosUhgp5mIg=", Algo.CRC64NVME.base64(check)); // 0xAE8B14860A799888
    }

    @ParameterizedTest
    @EnumSource(Algo.class)
    void checksumIsStoredAndReturned(Algo algo) {
        String key = "algo/" + algo;
        byte[] data = randomBytes(1024 * 1024 + 4097, algo.ordinal()); // spans two blocks
        String expected = algo.base64(data);
        PutObjectResponse put = NODE.s3().putObject(p -> p.bucket(BUCKET).key(key)
                .checksumAlgorithm(algo.name()), RequestBody.fromBytes(data));
        assertEquals(expected, algo.put.apply(put));
        assertEquals(quoted(md5Hex(data)), put.eTag());

        // With checksum mode on, the SDK also validates the body against the returned checksum.
        ResponseBytes<GetObjectResponse> get = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)
                .checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(data, get.asByteArray());
        assertEquals(expected, algo.get.apply(get.response()));
        assertEquals(expected, algo.head.apply(NODE.s3().headObject(h -> h.bucket(BUCKET).key(key)
                .checksumMode(ChecksumMode.ENABLED))));
    }

    @Test
    void wrongChecksumIsBadDigest() {
        assertS3Error(400, "BadDigest", () -> NODE.s3().putObject(p -> p.bucket(BUCKET).key("bad/crc32")
                .checksumCRC32("AAAAAA=="), RequestBody.fromString("these bytes do not have a zero CRC32")));
        assertS3Error(404, "NoSuchKey", () -> NODE.s3().getObject(g -> g.bucket(BUCKET).key("bad/crc32")));

        String wrongSha256 = Algo.SHA256.base64("other bytes".getBytes());
        assertS3Error(400, "BadDigest", () -> NODE.s3().putObject(p -> p.bucket(BUCKET).key("bad/sha256")
                .checksumSHA256(wrongSha256), RequestBody.fromString("these bytes")));
        assertS3Error(404, "NoSuchKey", () -> NODE.s3().getObject(g -> g.bucket(BUCKET).key("bad/sha256")));
    }

    @Test
    void wrongContentMd5IsBadDigest() {
        String md5OfEmpty = "1B2M2Y8AsgTpgAmY7PhCfg==";
        assertS3Error(400, "BadDigest", () -> NODE.s3().putObject(p -> p.bucket(BUCKET).key("bad/md5")
                .contentMD5(md5OfEmpty), RequestBody.fromString("not empty")));
        assertS3Error(404, "NoSuchKey", () -> NODE.s3().getObject(g -> g.bucket(BUCKET).key("bad/md5")));

        String right = Base64.getEncoder().encodeToString(S3Asserts.digest("MD5", "right".getBytes()));
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("good/md5").contentMD5(right), RequestBody.fromString("right"));
        assertEquals("right", NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key("good/md5")).asUtf8String());
    }

    @Test
    void concurrentOverwritesNeverMixBodies() throws Exception {
        String key = "race/one-key";
        int writers = 8;
        List<byte[]> bodies = new ArrayList<>();
        Set<String> md5s = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < writers; i++) {
            byte[] b = randomBytes(1024 * 1024 + 512 * 1024 + i, 100 + i); // 1.5 MiB: two blocks each
            bodies.add(b);
            md5s.add(md5Hex(b));
        }
        NODE.s3().putObject(p -> p.bucket(BUCKET).key(key), RequestBody.fromBytes(bodies.get(0)));

        ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                byte[] body = bodies.get(i);
                writes.add(pool.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        PutObjectResponse r = NODE.s3().putObject(p -> p.bucket(BUCKET).key(key), RequestBody.fromBytes(body));
                        assertEquals(quoted(md5Hex(body)), r.eTag());
                    }
                    return null;
                }));
            }
            List<Future<?>> readers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                readers.add(pool.submit(() -> {
                    do {
                        ResponseBytes<GetObjectResponse> g = NODE.s3().getObjectAsBytes(x -> x.bucket(BUCKET).key(key));
                        String md5 = md5Hex(g.asByteArray());
                        assertTrue(md5s.contains(md5), "a GET returned a body nobody wrote");
                        assertEquals(quoted(md5), g.response().eTag(), "ETag and body belong to one version");
                        reads.incrementAndGet();
                    } while (writing.get());
                    return null;
                }));
            }
            for (Future<?> f : writes) {
                f.get(120, TimeUnit.SECONDS);
            }
            writing.set(false);
            for (Future<?> f : readers) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
        }
        assertTrue(reads.get() >= 2);
        byte[] last = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)).asByteArray();
        assertTrue(md5s.contains(md5Hex(last)), "the final value is one of the written bodies");
    }
}
