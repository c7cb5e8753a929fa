package org.blockcloset.ledger.event;

/**
 * A node accepted a signed admin API call that changes something. The views keep the signature's
 * hash for as long as the signature could still be valid and refuse a second event with it: a call
 * captured and sent again, to this node or any other, is refused (issue 16). The hash, not the
 * signature, is kept: nothing in the log can be used to sign.
 *
 * @param method        the HTTP method, for the audit timeline
 * @param path          the path called, for the audit timeline
 * @param signedAt      the signature's date ({@code x-amz-date}, {@code yyyyMMdd'T'HHmmss'Z'})
 * @param signatureHash SHA-256 of the signature, hex
 */
public record AdminCallAccepted(String method, String path, String signedAt, String signatureHash) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER; // one partition: the views see every claim of a signature in one order
    }
}
