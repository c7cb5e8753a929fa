package org.blockcloset.storage.care;

import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.MultipartUploadAborted;
import org.blockcloset.ledger.event.ObjectDeleted;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.model.Upload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies buckets' lifecycle rules in the background (ADR 0014): expires current objects by age or
 * date, removes noncurrent versions some days after they were replaced, removes delete markers
 * left alone, aborts uploads left incomplete. Each action is an ordinary event with the rule as its
 * actor ("lifecycle:ID"), so the fold decides it like any request: object lock refuses it, and an
 * expiry names the write it judged, so an object overwritten meanwhile is left alone. One node acts
 * (the first member by id it sees up), so members do not add delete markers twice.
 */
public final class Lifecycle implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);
    /** Actions per bucket per pass: a large backlog is worked off over several passes. */
    static final int MAX_ACTIONS = 10_000;

    private final Ledger ledger;
    private final Duration day;
    private final Duration interval;
    private final Clock clock;
    private final BooleanSupplier acting;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lifecycle");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param day      the length of a lifecycle "day" (BLOCKCLOSET_LIFECYCLE_DAY; shorter in tests)
     * @param interval how often the rules are evaluated (BLOCKCLOSET_LIFECYCLE_INTERVAL)
     * @param acting   whether this node is the one that acts now
     */
    public Lifecycle(Ledger ledger, Duration day, Duration interval, Clock clock, BooleanSupplier acting) {
        this.ledger = ledger;
        this.day = day;
        this.interval = interval;
        this.clock = clock;
        this.acting = acting;
    }

    @Override
    public void start() {
        timer.scheduleWithFixedDelay(this::runQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        timer.shutdownNow();
    }

    private void runQuietly() {
        try {
            if (ledger.ready() && acting.getAsBoolean()) {
                runOnce();
            }
        } catch (LedgerUnavailableException | RuntimeException e) {
            LOG.warn("Lifecycle pass failed: {} (tried again in {})", e.toString(), interval);
        }
    }

    /** One pass over every bucket with enabled rules; returns the number of actions the log took. */
    int runOnce() throws LedgerUnavailableException {
        int done = 0;
        for (Bucket b : ledger.views().buckets()) {
            if (b.lifecycle() == null || b.lifecycle().stream().noneMatch(Bucket.LifecycleRule::enabled)) {
                continue;
            }
            List<Action> actions = plan(b, clock.instant());
            for (Action a : actions) {
                try {
                    ledger.append("lifecycle:" + a.rule(), "lifecycle", a.event());
                    done++;
                } catch (RejectedException e) {
                    LOG.debug("lifecycle rule {} in {}: {} refused ({})", a.rule(), b.name(), a.event(), e.rejection());
                }
            }
        }
        if (done > 0) {
            LOG.info("Lifecycle: {} action(s) applied", done);
        }
        return done;
    }

    record Action(String rule, Event event) {
    }

    private Instant after(Instant t, int days) {
        return t.plus(day.multipliedBy(days));
    }

    /** What the bucket's enabled rules ask for now, at most {@link #MAX_ACTIONS}. */
    List<Action> plan(Bucket b, Instant now) {
        List<Bucket.LifecycleRule> rules = b.lifecycle().stream().filter(Bucket.LifecycleRule::enabled).toList();
        List<Action> out = new ArrayList<>();
        if (!b.versioned()) {
            ledger.views().forEachObject(b.name(), o -> {
                if (out.size() < MAX_ACTIONS) {
                    expiry(rules, o, now).ifPresent(rule -> out.add(new Action(rule,
                            new ObjectDeleted(o.bucket(), o.key(), null, null, o.versionId()))));
                }
            });
        } else {
            List<ObjectVersion> key = new ArrayList<>();
            ledger.views().forEachVersion(b.name(), v -> {
                if (!key.isEmpty() && !key.get(0).key().equals(v.key())) {
                    planKey(rules, key, now, out);
                    key.clear();
                }
                key.add(v);
            });
            if (!key.isEmpty()) {
                planKey(rules, key, now, out);
            }
        }
        for (Upload u : ledger.views().uploads(b.name(), "", null, null, MAX_ACTIONS)) {
            for (Bucket.LifecycleRule r : rules) {
                if (r.abortIncompleteUploadDays() != null && (r.prefix() == null || u.key().startsWith(r.prefix()))
                        && !now.isBefore(after(u.initiated(), r.abortIncompleteUploadDays())) && out.size() < MAX_ACTIONS) {
                    out.add(new Action(name(r), new MultipartUploadAborted(u.bucket(), u.key(), u.uploadId())));
                    break;
                }
            }
        }
        return out;
    }

    /** One key's versions, newest first. */
    private void planKey(List<Bucket.LifecycleRule> rules, List<ObjectVersion> versions, Instant now, List<Action> out) {
        ObjectVersion current = versions.get(0);
        if (!current.marksDeletion()) {
            expiry(rules, current, now).ifPresent(rule -> out.add(new Action(rule,
                    new ObjectDeleted(current.bucket(), current.key(), null, null, current.versionId()))));
        } else if (versions.size() == 1) {
            rules.stream().filter(r -> Boolean.TRUE.equals(r.expiredObjectDeleteMarker()) && r.matches(current.key(), null))
                    .findFirst().ifPresent(r -> out.add(new Action(name(r),
                            new ObjectDeleted(current.bucket(), current.key(), current.s3VersionIdOrNull(), null, current.versionId()))));
        }
        for (int i = 1; i < versions.size() && out.size() < MAX_ACTIONS; i++) {
            ObjectVersion v = versions.get(i);
            if (v.lockedAt(now, false)) {
                continue; // retained: the fold would refuse it, and it must not crowd out what may go
            }
            Instant noncurrentSince = versions.get(i - 1).lastModified();
            int newer = i - 1; // noncurrent versions newer than this one
            for (Bucket.LifecycleRule r : rules) {
                if (r.noncurrentDays() != null && r.matches(v.key(), v.tags(), v.size())
                        && !now.isBefore(after(noncurrentSince, r.noncurrentDays()))
                        && (r.newerNoncurrentVersions() == null || newer >= r.newerNoncurrentVersions())) {
                    out.add(new Action(name(r), new ObjectDeleted(v.bucket(), v.key(), v.s3VersionIdOrNull(), null, v.versionId())));
                    break;
                }
            }
        }
    }

    private java.util.Optional<String> expiry(List<Bucket.LifecycleRule> rules, ObjectVersion o, Instant now) {
        for (Bucket.LifecycleRule r : rules) {
            if (!r.matches(o.key(), o.tags(), o.size())) {
                continue;
            }
            if ((r.expirationDays() != null && !now.isBefore(after(o.lastModified(), r.expirationDays())))
                    || (r.expirationDate() != null && !now.isBefore(r.expirationDate()))) {
                return java.util.Optional.of(name(r));
            }
        }
        return java.util.Optional.empty();
    }

    /** When a rule will expire a current version, and which. */
    public record Expiry(Instant at, String rule) {
    }

    /**
     * When the first enabled rule that takes the current version {@code o} expires it (S3's
     * x-amz-expiration): its days after the version was written, as this node's lifecycle judges it
     * (S3 rounds to the next midnight UTC; here the header says when it will actually go), or the
     * rule's date.
     */
    public static java.util.Optional<Expiry> expiresAt(List<Bucket.LifecycleRule> rules, ObjectVersion o, Duration day) {
        Expiry first = null;
        for (Bucket.LifecycleRule r : rules) {
            if (!r.enabled() || !r.matches(o.key(), o.tags(), o.size())) {
                continue;
            }
            Instant at = null;
            if (r.expirationDays() != null) {
                at = o.lastModified().plus(day.multipliedBy(r.expirationDays()));
            } else if (r.expirationDate() != null) {
                at = r.expirationDate();
            }
            if (at != null && (first == null || at.isBefore(first.at()))) {
                first = new Expiry(at, name(r));
            }
        }
        return java.util.Optional.ofNullable(first);
    }

    private static String name(Bucket.LifecycleRule r) {
        return r.id() == null || r.id().isEmpty() ? "rule" : r.id();
    }
}
