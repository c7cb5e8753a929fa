package org.blockcloset.ledger.view;

import java.util.List;
import org.blockcloset.ledger.model.ObjectSummary;

/**
 * One page of ListObjectVersions: versions and delete markers by key, newest first within a key.
 * The next-markers name the last version (or common prefix) returned; null when not truncated.
 */
public record VersionPage(List<Entry> versions, List<String> commonPrefixes, boolean truncated, String nextKeyMarker,
                          String nextVersionIdMarker) {
    public record Entry(ObjectSummary version, boolean latest) {
    }
}
