package org.blockcloset.admin;

/**
 * Marks a servlet on the admin port that decides on its own, for every request, whether the caller
 * may have it (the console, the JSON API). Every other servlet there is wrapped in a
 * {@link FailClosedServlet} when the node starts.
 */
public interface ChecksItsCallers {
}
