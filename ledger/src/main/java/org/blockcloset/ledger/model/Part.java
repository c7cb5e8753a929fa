package org.blockcloset.ledger.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One uploaded part; a later upload of the same number replaces it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Part(
        int partNumber,
        long size,
        String etag,
        Instant lastModified,
        Map<String, String> checksums,
        List<BlockRef> blocks) {
}
