package org.blockcloset.ledger.event;

/**
 * An admin set or lifted a bucket's quota. A write that would take the bucket past it is refused
 * (QuotaExceeded); what it holds already stays.
 *
 * @param maxBytes   the most bytes of its objects together; null: no limit
 * @param maxObjects the most objects; null: no limit
 */
public record BucketQuotaChanged(String bucket, Long maxBytes, Long maxObjects) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
