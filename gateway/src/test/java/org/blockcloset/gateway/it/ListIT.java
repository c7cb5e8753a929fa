package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/** ListObjectsV2 and ListObjects (v1): order, prefix, delimiter, pagination, start-after, url encoding. */
class ListIT {
    private static final String BUCKET = "listing";
    /** S3 lists in UTF-8 byte order: "emojiＡ" (U+FF21) before "emoji😀", the reverse of Java's UTF-16 order. */
    private static final Comparator<String> UTF8 = (a, b) ->
            Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    private static final List<String> KEYS = Stream.concat(Stream.of("a/1", "a/2", "a/b/3", "a/b/4", "b/5", "c",
                    "d/e/f/6", "z", "ü/7", "space key/8", "plus+key", "emoji😀/9", "emojiＡ-fullwidth", "a.b", "a0"),
            IntStream.range(0, 25).mapToObj(i -> String.format("page/%04d", i))).sorted(UTF8).toList();

    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();

    @BeforeAll
    static void start() throws Exception {
        NODE.s3().createBucket(b -> b.bucket(BUCKET));
        for (String k : KEYS) {
            NODE.s3().putObject(p -> p.bucket(BUCKET).key(k), RequestBody.fromString("body:" + k));
        }
        NODE.s3().createBucket(b -> b.bucket("listing-empty"));
    }

    private static List<String> keys(List<S3Object> objects) {
        return objects.stream().map(S3Object::key).toList();
    }

    private static List<String> prefixes(List<CommonPrefix> prefixes) {
        return prefixes.stream().map(CommonPrefix::prefix).toList();
    }

    /** What a delimiter listing must return: keys without the delimiter after the prefix, and rolled-up prefixes. */
    private static List<String> expectedEntries(String prefix, String delimiter) {
        TreeSet<String> out = new TreeSet<>(UTF8);
        for (String k : KEYS) {
            if (!k.startsWith(prefix)) {
                continue;
            }
            int d = k.indexOf(delimiter, prefix.length());
            out.add(d < 0 ? k : k.substring(0, d + delimiter.length()));
        }
        return new ArrayList<>(out);
    }

    @Test
    void v2ListsEverythingInUtf8OrderAcrossPages() {
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String t = token;
            ListObjectsV2Response r = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).maxKeys(7).continuationToken(t));
            assertTrue(r.contents().size() <= 7);
            assertEquals(r.contents().size(), r.keyCount());
            assertEquals(7, r.maxKeys());
            seen.addAll(keys(r.contents()));
            token = r.nextContinuationToken();
            assertEquals(token != null, r.isTruncated());
            pages++;
        } while (token != null);
        assertEquals(KEYS, seen);
        assertEquals((KEYS.size() + 6) / 7, pages);
    }

    @Test
    void v2EntriesCarrySizeAndEtag() {
        S3Object c = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).prefix("c")).contents().get(0);
        assertEquals("c", c.key());
        assertEquals((long) "body:c".length(), c.size());
        assertEquals(S3Asserts.quoted(S3Asserts.md5Hex("body:c".getBytes(StandardCharsets.UTF_8))), c.eTag());
        assertNotNull(c.lastModified());
    }

    @Test
    void v2PrefixAndDelimiter() {
        ListObjectsV2Response r = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).prefix("a/").delimiter("/"));
        assertEquals(List.of("a/1", "a/2"), keys(r.contents()));
        assertEquals(List.of("a/b/"), prefixes(r.commonPrefixes()));
        assertEquals(3, r.keyCount());
        assertEquals("a/", r.prefix());
        assertEquals("/", r.delimiter());

        ListObjectsV2Response root = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).delimiter("/"));
        List<String> entries = Stream.concat(keys(root.contents()).stream(), prefixes(root.commonPrefixes()).stream())
                .sorted(UTF8).toList();
        assertEquals(expectedEntries("", "/"), entries);
        assertTrue(prefixes(root.commonPrefixes()).containsAll(List.of("a/", "b/", "d/", "page/", "ü/", "emoji😀/")));
        assertEquals(entries.size(), root.keyCount());
    }

    @Test
    void v2DelimiterPaginationCountsEachPrefixOnce() {
        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response r = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).delimiter("/").maxKeys(2).continuationToken(t));
            assertTrue(r.keyCount() <= 2, "KeyCount counts keys and prefixes together");
            assertEquals(r.contents().size() + r.commonPrefixes().size(), r.keyCount());
            seen.addAll(keys(r.contents()));
            seen.addAll(prefixes(r.commonPrefixes()));
            token = r.nextContinuationToken();
        } while (token != null);
        assertEquals(expectedEntries("", "/"), seen.stream().sorted(UTF8).toList());
        assertEquals(seen.size(), seen.stream().distinct().count(), () -> "duplicates in " + seen);
    }

    @Test
    void v2StartAfter() {
        ListObjectsV2Response r = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).startAfter("b/5"));
        assertEquals(KEYS.stream().filter(k -> UTF8.compare(k, "b/5") > 0).toList(), keys(r.contents()));
        assertEquals("b/5", r.startAfter());
        // start-after between keys, within a prefix
        assertEquals(List.of("page/0023", "page/0024"),
                keys(NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).prefix("page/").startAfter("page/0022x")).contents()));
        // With a continuation token, start-after no longer applies.
        ListObjectsV2Response first = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).prefix("page/").maxKeys(5));
        ListObjectsV2Response second = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).prefix("page/").maxKeys(5)
                .continuationToken(first.nextContinuationToken()).startAfter("page/0020"));
        assertEquals(List.of("page/0005", "page/0006", "page/0007", "page/0008", "page/0009"), keys(second.contents()));
    }

    @Test
    void v2UrlEncodingIsDecodedBySdk() {
        ListObjectsV2Response r = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).encodingType(EncodingType.URL));
        assertEquals(KEYS, keys(r.contents()));
        ListObjectsV2Response d = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).encodingType(EncodingType.URL).delimiter("/")
                .prefix("emoji😀/"));
        assertEquals(List.of("emoji😀/9"), keys(d.contents()));
        assertEquals("emoji😀/", d.prefix());

        // On the wire the keys are percent-encoded and the encoding is echoed.
        HttpResponse<String> raw = S3Asserts.signedSend(NODE.node(), "GET", "/" + BUCKET,
                Map.of("list-type", "2", "encoding-type", "url", "prefix", "space"), new byte[0]);
        assertEquals(200, raw.statusCode(), raw::body);
        assertTrue(raw.body().contains("<EncodingType>url</EncodingType>"), raw::body);
        assertTrue(raw.body().contains("<Key>space%20key/8</Key>"), raw::body);
    }

    @Test
    void v2MaxKeysZeroAndEmptyBucket() {
        ListObjectsV2Response zero = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).maxKeys(0));
        assertEquals(0, zero.keyCount());
        assertTrue(zero.contents().isEmpty());
        ListObjectsV2Response empty = NODE.s3().listObjectsV2(l -> l.bucket("listing-empty"));
        assertEquals(0, empty.keyCount());
        assertFalse(empty.isTruncated());
        assertTrue(empty.contents().isEmpty());
    }

    @Test
    void v1MarkerPagination() {
        List<String> seen = new ArrayList<>();
        String marker = null;
        boolean truncated;
        do {
            String m = marker;
            ListObjectsResponse r = NODE.s3().listObjects(l -> l.bucket(BUCKET).maxKeys(6).marker(m));
            assertTrue(r.contents().size() <= 6);
            assertNull(r.nextMarker(), "NextMarker is sent only with a delimiter");
            seen.addAll(keys(r.contents()));
            truncated = r.isTruncated();
            marker = r.contents().isEmpty() ? null : r.contents().get(r.contents().size() - 1).key();
        } while (truncated);
        assertEquals(KEYS, seen);
    }

    @Test
    void v1DelimiterWithNextMarker() {
        List<String> seen = new ArrayList<>();
        String marker = null;
        boolean truncated;
        do {
            String m = marker;
            ListObjectsResponse r = NODE.s3().listObjects(l -> l.bucket(BUCKET).delimiter("/").maxKeys(3).marker(m));
            seen.addAll(keys(r.contents()));
            seen.addAll(prefixes(r.commonPrefixes()));
            truncated = r.isTruncated();
            if (truncated) {
                assertNotNull(r.nextMarker(), "a truncated delimiter listing names its NextMarker");
            }
            marker = r.nextMarker();
        } while (truncated);
        assertEquals(expectedEntries("", "/"), seen.stream().sorted(UTF8).toList());
        assertEquals(seen.size(), seen.stream().distinct().count(), () -> "duplicates in " + seen);
    }

    @Test
    void v1PrefixDelimiterAndEncoding() {
        ListObjectsResponse r = NODE.s3().listObjects(l -> l.bucket(BUCKET).prefix("a/").delimiter("/"));
        assertEquals(List.of("a/1", "a/2"), keys(r.contents()));
        assertEquals(List.of("a/b/"), prefixes(r.commonPrefixes()));
        ListObjectsResponse u = NODE.s3().listObjects(l -> l.bucket(BUCKET).encodingType(EncodingType.URL).prefix("s"));
        assertEquals(List.of("space key/8"), keys(u.contents()));
        assertEquals(KEYS.stream().filter(k -> k.startsWith("ü")).collect(Collectors.toList()),
                keys(NODE.s3().listObjects(l -> l.bucket(BUCKET).encodingType(EncodingType.URL).prefix("ü")).contents()));
    }

    @Test
    void anEmptyDelimiterIsNoDelimiterAndIsNotEchoed() {
        ListObjectsV2Response v2 = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).delimiter(""));
        assertNull(v2.delimiter(), "no Delimiter element for an empty delimiter");
        assertTrue(v2.commonPrefixes().isEmpty(), "nothing is grouped");
        ListObjectsResponse v1 = NODE.s3().listObjects(l -> l.bucket(BUCKET).delimiter(""));
        assertNull(v1.delimiter());
    }
}
