package org.blockcloset.ledger.event;

import java.util.Map;

/**
 * An admin set which buckets a key reaches and how: bucket → "read", "write" or "owner"; a null map
 * gives it every bucket again. Admin keys reach everything whatever this says.
 */
public record AccessKeyPermissionsChanged(String accessKeyId, Map<String, String> buckets) implements Event {
    @Override
    public String entityKey() {
        return Keys.accessKey(accessKeyId);
    }
}
