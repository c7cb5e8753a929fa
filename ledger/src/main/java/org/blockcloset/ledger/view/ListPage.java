package org.blockcloset.ledger.view;

import java.util.List;
import org.blockcloset.ledger.model.ObjectSummary;

/**
 * One page of a listing. {@code next} is the last key or common prefix returned, from which the
 * next page resumes; it is null when the page is not truncated.
 */
public record ListPage(List<ObjectSummary> contents, List<String> commonPrefixes, boolean truncated, String next) {
}
