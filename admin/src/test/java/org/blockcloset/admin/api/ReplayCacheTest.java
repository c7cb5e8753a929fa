package org.blockcloset.admin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplayCacheTest {
    private static final String AUTH = "AWS4-HMAC-SHA256 Credential=AK/20261207/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=%s";

    @Test
    void aSignatureIsAcceptedOnceWithinItsWindow() {
        ReplayCache cache = new ReplayCache(Duration.ofMinutes(31));
        long now = 1_000_000;
        assertTrue(cache.firstUse(AUTH.formatted("aa11"), now));
        assertFalse(cache.firstUse(AUTH.formatted("aa11"), now + 1000), "the same signature again is a replay");
        assertTrue(cache.firstUse(AUTH.formatted("bb22"), now + 1000), "another signature is not");
        assertTrue(cache.firstUse(AUTH.formatted("aa11"), now + Duration.ofMinutes(32).toMillis()),
                "past the window the signature is no longer valid anyway: the entry is gone");
        assertFalse(cache.firstUse(null, now), "no signature, no call");
        assertEquals("cc33", ReplayCache.signatureOf(AUTH.formatted("cc33")));
    }
}
