package org.blockcloset.ledger.view;

import org.blockcloset.ledger.TestBlocks;
import static org.blockcloset.ledger.LedgerHarness.T0;
import static org.blockcloset.ledger.LedgerHarness.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.blockcloset.ledger.LedgerHarness;
import org.blockcloset.ledger.event.BucketCreated;
import org.blockcloset.ledger.event.MultipartUploadCreated;
import org.blockcloset.ledger.event.ObjectDeleted;
import org.blockcloset.ledger.event.ObjectPut;
import org.blockcloset.ledger.event.PartUploaded;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.model.Part;
import org.blockcloset.ledger.model.Upload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** S3-style listings over the real views (embedded broker + Streams). */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ListingTest {
    private static final String BUCKET = "list";
    private static final String SMILE = "\uD83D\uDE00"; // U+1F600: UTF-8 F0 9F 98 80, UTF-16 D83D DE00
    private static final String FULLWIDTH_A = "\uFF21"; // UTF-8 EF BC A1: after U+1F600 in UTF-16, before it in UTF-8
    private static final String MAX_CP = "\uDBFF\uDFFF"; // U+10FFFF

    private static final List<String> KEYS = List.of(
            "a.txt",
            "b-", "b/1.txt", "b/2.txt", "b/c/3.txt", "b/c/d/4.txt", "b/z", "b0",
            "c/", "c/x", "c/y/z",
            "d",
            "e/" + MAX_CP, "e/" + MAX_CP + "z", "e/f",
            "logs|2024|a", "logs|2024|b", "logs|2025|a", "logs|x",
            "photos/2023/feb/2.jpg", "photos/2023/jan/1.jpg", "photos/2024/mar/3.jpg", "photos/index.html",
            "u/z", "u/\u00e9", "u/\uE000x", "u/" + FULLWIDTH_A, "u/" + FULLWIDTH_A + "/x", "u/" + SMILE,
            "u/" + SMILE + "/deeper",
            "z" + SMILE, "z" + FULLWIDTH_A);

    /** UTF-8 byte order, computed independently of the code under test. */
    private static final Comparator<String> UTF8 = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    @TempDir
    static Path dir;
    static LedgerHarness h;
    static Views views;

    @BeforeAll
    static void setUp() throws Exception {
        h = LedgerHarness.start(dir);
        views = h.ledger().views();
        h.append(new BucketCreated(BUCKET, T0));
        // neighbours whose store keys sort right next to this bucket's
        h.append(new BucketCreated("list-2", T0));
        h.append(new BucketCreated("lis", T0));
        h.append(new ObjectPut(object("list-2", "a", "n1", "n1")));
        h.append(new ObjectPut(object("lis", "t/a", "n2", "n2")));
        List<String> shuffled = new ArrayList<>(KEYS);
        java.util.Collections.shuffle(shuffled, new java.util.Random(42));
        long t0 = System.nanoTime();
        for (String k : shuffled) {
            h.append(new ObjectPut(object(BUCKET, k, "v-" + k, "blk-" + k)));
        }
        // a key that comes and goes must not show
        h.append(new ObjectPut(object(BUCKET, "c/tmp", "tmp", "tmp")));
        h.append(new ObjectDeleted(BUCKET, "c/tmp"));
        System.out.printf("[timing] %d sequential appends: %d ms%n", KEYS.size() + 2,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    @AfterAll
    static void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    // ---- explicit expectations ------------------------------------------------------------------

    @Test
    void rootWithSlashDelimiter() {
        ListPage p = views.list(BUCKET, "", "/", null, 1000);
        assertEquals(List.of("a.txt", "b-", "b0", "d", "logs|2024|a", "logs|2024|b", "logs|2025|a", "logs|x",
                "z" + FULLWIDTH_A, "z" + SMILE), keys(p));
        assertEquals(List.of("b/", "c/", "e/", "photos/", "u/"), p.commonPrefixes());
        assertFalse(p.truncated());
        assertNull(p.next());
    }

    @Test
    void noDelimiterListsEveryKeyOfTheBucketOnlyInUtf8Order() {
        ListPage p = views.list(BUCKET, "", null, null, 1000);
        List<String> sorted = new ArrayList<>(KEYS);
        sorted.sort(UTF8);
        assertEquals(sorted, keys(p));
        assertTrue(p.commonPrefixes().isEmpty());
        assertFalse(keys(p).contains("c/tmp"), "deleted key");
    }

    @Test
    void utf8BinaryOrderNotUtf16Order() {
        ListPage p = views.list(BUCKET, "u/", null, null, 1000);
        List<String> expected = List.of("u/z", "u/\u00e9", "u/\uE000x", "u/" + FULLWIDTH_A, "u/" + FULLWIDTH_A + "/x",
                "u/" + SMILE, "u/" + SMILE + "/deeper");
        assertEquals(expected, keys(p));
        List<String> javaOrder = new ArrayList<>(expected);
        javaOrder.sort(Comparator.naturalOrder());
        assertNotEquals(expected, javaOrder, "the fixture must tell UTF-8 order from UTF-16 order");

        ListPage d = views.list(BUCKET, "u/", "/", null, 1000);
        assertEquals(List.of("u/z", "u/\u00e9", "u/\uE000x", "u/" + FULLWIDTH_A, "u/" + SMILE), keys(d));
        assertEquals(List.of("u/" + FULLWIDTH_A + "/", "u/" + SMILE + "/"), d.commonPrefixes());

        // start-after between the two in UTF-8 order
        ListPage s = views.list(BUCKET, "u/", null, "u/" + FULLWIDTH_A + "/x", 1000);
        assertEquals(List.of("u/" + SMILE, "u/" + SMILE + "/deeper"), keys(s));
    }

    @Test
    void prefixAndNestedFolders() {
        ListPage p = views.list(BUCKET, "b/", "/", null, 1000);
        assertEquals(List.of("b/1.txt", "b/2.txt", "b/z"), keys(p));
        assertEquals(List.of("b/c/"), p.commonPrefixes());

        ListPage nested = views.list(BUCKET, "b/c/", "/", null, 1000);
        assertEquals(List.of("b/c/3.txt"), keys(nested));
        assertEquals(List.of("b/c/d/"), nested.commonPrefixes());

        ListPage photos = views.list(BUCKET, "photos/", "/", null, 1000);
        assertEquals(List.of("photos/index.html"), keys(photos));
        assertEquals(List.of("photos/2023/", "photos/2024/"), photos.commonPrefixes());

        // a prefix that is not a folder: "b" matches b-, b/..., b0
        ListPage bare = views.list(BUCKET, "b", "/", null, 1000);
        assertEquals(List.of("b-", "b0"), keys(bare));
        assertEquals(List.of("b/"), bare.commonPrefixes());

        // the folder-marker key "c/" itself
        ListPage c = views.list(BUCKET, "c/", "/", null, 1000);
        assertEquals(List.of("c/", "c/x"), keys(c));
        assertEquals(List.of("c/y/"), c.commonPrefixes());

        assertEquals(List.of(), keys(views.list(BUCKET, "nothing-here", "/", null, 1000)));

        // an absent prefix (null) lists the whole bucket, as ""
        assertEquals(views.list(BUCKET, "", "/", null, 1000), views.list(BUCKET, null, "/", null, 1000));
    }

    @Test
    void startAfterInsideAndOutsideACommonPrefix() {
        // inside b/: the rest of b/ still rolls up into b/
        ListPage inside = views.list(BUCKET, "", "/", "b/1.txt", 3);
        assertEquals(List.of("b0"), keys(inside));
        assertEquals(List.of("b/", "c/"), inside.commonPrefixes());
        assertTrue(inside.truncated());
        assertEquals("c/", inside.next());

        // after the last key of b/: b/ is not emitted again
        ListPage afterLast = views.list(BUCKET, "", "/", "b/z", 2);
        assertEquals(List.of("b0"), keys(afterLast));
        assertEquals(List.of("c/"), afterLast.commonPrefixes());

        // before the prefix: everything under the prefix
        ListPage before = views.list(BUCKET, "photos/", "/", "a", 1000);
        assertEquals(List.of("photos/index.html"), keys(before));
        assertEquals(List.of("photos/2023/", "photos/2024/"), before.commonPrefixes());

        // beyond the prefix: nothing
        ListPage beyond = views.list(BUCKET, "photos/", "/", "q", 1000);
        assertTrue(beyond.contents().isEmpty() && beyond.commonPrefixes().isEmpty());
        assertFalse(beyond.truncated());
    }

    @Test
    void resumingAfterAReturnedCommonPrefixDoesNotReEmitIt() {
        ListPage first = views.list(BUCKET, "", "/", null, 2);
        assertEquals(List.of("a.txt", "b-"), keys(first));
        assertTrue(first.truncated());
        assertEquals("b-", first.next());

        ListPage second = views.list(BUCKET, "", "/", first.next(), 1);
        assertEquals(List.of("b/"), second.commonPrefixes());
        assertEquals("b/", second.next());

        ListPage third = views.list(BUCKET, "", "/", second.next(), 2);
        assertEquals(List.of("b0"), keys(third));
        assertEquals(List.of("c/"), third.commonPrefixes());
        assertEquals("c/", third.next());

        // e/ holds keys starting with U+10FFFF right after the delimiter: the seek lands inside e/
        ListPage e = views.list(BUCKET, "", "/", "d", 2);
        assertEquals(List.of("e/"), e.commonPrefixes());
        ListPage afterE = views.list(BUCKET, "", "/", "e/", 1000);
        assertFalse(afterE.commonPrefixes().contains("e/"));
        assertEquals(List.of("photos/", "u/"), afterE.commonPrefixes());
        assertEquals("logs|2024|a", keys(afterE).get(0));
    }

    @Test
    void otherDelimiters() {
        ListPage pipe = views.list(BUCKET, "logs|", "|", null, 1000);
        assertEquals(List.of("logs|x"), keys(pipe));
        assertEquals(List.of("logs|2024|", "logs|2025|"), pipe.commonPrefixes());

        ListPage multi = views.list(BUCKET, "photos/", "/j", null, 1000);
        assertEquals(List.of("photos/2023/feb/2.jpg", "photos/2024/mar/3.jpg", "photos/index.html"), keys(multi));
        assertEquals(List.of("photos/2023/j"), multi.commonPrefixes());
    }

    @Test
    void maxKeysTruncates() {
        ListPage p = views.list(BUCKET, "", null, null, 5);
        List<String> sorted = new ArrayList<>(KEYS);
        sorted.sort(UTF8);
        assertEquals(sorted.subList(0, 5), keys(p));
        assertTrue(p.truncated());
        assertEquals(sorted.get(4), p.next());

        ListPage exact = views.list(BUCKET, "b/", "/", null, 4);
        assertEquals(4, exact.contents().size() + exact.commonPrefixes().size());
        assertFalse(exact.truncated(), "exactly maxKeys entries and nothing more: not truncated");
        assertNull(exact.next());
    }

    // ---- against an independent reference ---------------------------------------------------------

    @Test
    void everyCombinationMatchesTheReference() {
        List<String> prefixes = List.of("", "b", "b/", "b/c/", "c/", "e/", "logs|", "photos/", "photos/2023/", "u/",
                "z", "zz");
        List<String> delimiters = Arrays.asList(null, "/", "|", "/j", "2");
        List<String> afters = Arrays.asList(null, "", "a", "b-", "b/", "b/1.txt", "b/c/", "b/c/d/4.txt", "b0", "c/",
                "e/", "e/" + MAX_CP, "logs|2024|", "photos/2023/", "u/" + FULLWIDTH_A, "u/" + SMILE + "/", "zzz");
        int checked = 0;
        for (String prefix : prefixes) {
            for (String delim : delimiters) {
                for (String after : afters) {
                    for (int max : new int[] {1, 2, 3, 1000}) {
                        Expected want = reference(KEYS, prefix, delim, after, max);
                        ListPage got = views.list(BUCKET, prefix, delim, after, max);
                        String what = "list(" + prefix + ", " + delim + ", " + after + ", " + max + ")";
                        assertEquals(want.contents(), keys(got), what + " contents");
                        assertEquals(want.prefixes(), got.commonPrefixes(), what + " prefixes");
                        assertEquals(want.truncated(), got.truncated(), what + " truncated");
                        assertEquals(want.next(), got.next(), what + " next");
                        checked++;
                    }
                }
            }
        }
        System.out.printf("checked %d listings against the reference%n", checked);
    }

    @Test
    void paginationCollectsEverythingExactlyOnceInOrder() {
        for (String prefix : List.of("", "b", "u/", "photos/")) {
            for (String delim : Arrays.asList(null, "/", "|")) {
                Expected all = reference(KEYS, prefix, delim, null, Integer.MAX_VALUE);
                List<String> wantEntries = new ArrayList<>();
                wantEntries.addAll(all.contents());
                wantEntries.addAll(all.prefixes());
                for (int max : new int[] {1, 2, 5}) {
                    List<String> contents = new ArrayList<>();
                    List<String> cps = new ArrayList<>();
                    String after = null;
                    int pages = 0;
                    while (true) {
                        ListPage p = views.list(BUCKET, prefix, delim, after, max);
                        assertTrue(++pages <= KEYS.size() + 1, "pagination does not end");
                        assertTrue(p.contents().size() + p.commonPrefixes().size() <= max);
                        contents.addAll(keys(p));
                        cps.addAll(p.commonPrefixes());
                        if (!p.truncated()) {
                            break;
                        }
                        after = p.next();
                    }
                    String what = "pages of " + max + " over (" + prefix + ", " + delim + ")";
                    assertEquals(all.contents(), contents, what);
                    assertEquals(all.prefixes(), cps, what);
                    Set<String> seen = new HashSet<>();
                    contents.forEach(k -> assertTrue(seen.add(k), what + ": " + k + " twice"));
                    cps.forEach(k -> assertTrue(seen.add(k), what + ": " + k + " twice"));
                }
            }
        }
    }

    // ---- multipart listings -------------------------------------------------------------------

    @Test
    void uploadsAndParts() throws Exception {
        String b = "mpu";
        h.append(new BucketCreated(b, T0));
        // store order: by key (UTF-8), then upload id
        String[][] ups = {{"a", "id-2"}, {"a", "id-1"}, {"a/b", "id-3"}, {"b", "id-4"}, {"a" + SMILE, "id-5"},
                {"a" + FULLWIDTH_A, "id-6"}};
        for (String[] u : ups) {
            h.append(new MultipartUploadCreated(new Upload(b, u[0], u[1], T0, "tester", Map.of(), Map.of(), null, null)));
        }
        h.append(new BucketCreated("mpu-2", T0));
        h.append(new MultipartUploadCreated(new Upload("mpu-2", "a", "id-x", T0, "tester", Map.of(), Map.of(), null, null)));

        assertEquals(List.of("a id-1", "a id-2", "a/b id-3", "a" + FULLWIDTH_A + " id-6", "a" + SMILE + " id-5",
                "b id-4"), ids(views.uploads(b, "", null, null, 100)));
        assertEquals(List.of("a id-1", "a id-2"), ids(views.uploads(b, "", null, null, 2)));
        assertEquals(List.of("a/b id-3", "a" + FULLWIDTH_A + " id-6", "a" + SMILE + " id-5", "b id-4"),
                ids(views.uploads(b, "", "a", null, 100)), "key-marker alone: keys after it");
        assertEquals(List.of("a id-2", "a/b id-3"), ids(views.uploads(b, "", "a", "id-1", 2)),
                "key-marker + upload-id-marker: resume within the key");
        assertEquals(List.of("a/b id-3"), ids(views.uploads(b, "a/", null, null, 100)));
        assertEquals(List.of("b id-4"), ids(views.uploads(b, "b", null, null, 100)));
        assertEquals(ids(views.uploads(b, "", null, null, 100)), ids(views.uploads(b, null, null, null, 100)));
        assertEquals(List.of(), ids(views.uploads(b, "", "b", null, 100)));

        // parts arrive out of order and one is replaced
        for (int n : new int[] {3, 1, 10, 2}) {
            h.append(new PartUploaded(b, "a", "id-1", part(n, "id-1-p" + n)));
        }
        h.append(new PartUploaded(b, "a", "id-2", part(1, "id-2-p1")));
        Part replaced = part(2, "id-1-p2-bis");
        h.append(new PartUploaded(b, "a", "id-1", replaced));

        assertEquals(List.of(1, 2, 3, 10), numbers(views.parts("id-1", 0, 100)));
        assertEquals(replaced, views.parts("id-1", 1, 1).get(0));
        assertEquals(List.of(3, 10), numbers(views.parts("id-1", 2, 100)));
        assertEquals(List.of(1, 2), numbers(views.parts("id-1", 0, 2)));
        assertEquals(List.of(10), numbers(views.parts("id-1", 3, 1)));
        assertEquals(List.of(), numbers(views.parts("id-1", 10, 100)));
        assertEquals(List.of(1), numbers(views.parts("id-2", 0, 100)));
        assertEquals(0, views.references(TestBlocks.id("id-1-p2")));
        assertEquals(1, views.references(TestBlocks.id("id-1-p2-bis")));
    }

    // ---- helpers ------------------------------------------------------------------------------

    record Expected(List<String> contents, List<String> prefixes, boolean truncated, String next) {
    }

    /** S3 semantics, spelled out the slow way: every key sorted, filtered, rolled up, counted. */
    static Expected reference(List<String> all, String prefix, String delim, String after, int max) {
        List<String> sorted = new ArrayList<>(all);
        sorted.sort(UTF8);
        List<String> entries = new ArrayList<>();
        List<Boolean> isPrefix = new ArrayList<>();
        for (String k : sorted) {
            if (!k.startsWith(prefix)) {
                continue;
            }
            if (after != null && !after.isEmpty() && UTF8.compare(k, after) <= 0) {
                continue;
            }
            String entry = k;
            boolean cp = false;
            if (delim != null) {
                int i = k.indexOf(delim, prefix.length());
                if (i >= 0) {
                    entry = k.substring(0, i + delim.length());
                    cp = true;
                }
            }
            if (cp && entry.equals(after)) {
                continue; // resuming after this common prefix
            }
            if (!entries.isEmpty() && entries.get(entries.size() - 1).equals(entry)) {
                continue;
            }
            entries.add(entry);
            isPrefix.add(cp);
        }
        int n = Math.min(max, entries.size());
        List<String> contents = new ArrayList<>();
        List<String> cps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (isPrefix.get(i) ? cps : contents).add(entries.get(i));
        }
        boolean truncated = entries.size() > n;
        return new Expected(contents, cps, truncated, truncated ? entries.get(n - 1) : null);
    }

    private static List<String> keys(ListPage p) {
        return p.contents().stream().map(org.blockcloset.ledger.model.ObjectSummary::key).toList();
    }

    private static List<String> ids(List<Upload> uploads) {
        return uploads.stream().map(u -> u.key() + " " + u.uploadId()).toList();
    }

    private static List<Integer> numbers(List<Part> parts) {
        return parts.stream().map(Part::partNumber).toList();
    }

    private static Part part(int n, String block) {
        return new Part(n, 1024, "\"p" + n + "\"", T0, null, List.of(new BlockRef(TestBlocks.id(block), 1024)));
    }
}
