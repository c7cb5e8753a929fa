package org.blockcloset.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SigV4CanonicalTest {
    @Test
    void pathIsReencodedButNeverNormalized() {
        assertEquals("/b/a%2Fb/c%20d~~%21//./../%C3%BC", SigV4Canonical.canonicalPath("/b/a%2fb/c d~%7e!//./../%c3%bc"));
        assertEquals("/", SigV4Canonical.canonicalPath(""));
        assertEquals("/b/100%25", SigV4Canonical.canonicalPath("/b/100%"));
    }

    @Test
    void queryIsSortedEncodedAndValuelessNamesGetEquals() {
        assertEquals("a=0&a=1&b=%2F&prefix=a%2Bb&uploads=",
                SigV4Canonical.canonicalQuery("uploads&b=/&a=1&a=0&prefix=a+b&X-Amz-Signature=ff", true, false));
        assertEquals("X-Amz-Signature=ff&prefix=a%20b", SigV4Canonical.canonicalQuery("prefix=a+b&X-Amz-Signature=ff", false, true));
    }

    @Test
    void headersAreTrimmedCollapsedAndJoined() {
        SignedRequest r = new SimpleSignedRequest("GET", "/", null, Map.of(
                "Host", List.of("h:9000"), "X-Multi", List.of(" a  b ", "c\t\td")));
        assertEquals("host:h:9000\nx-multi:a b,c d\n", SigV4Canonical.canonicalHeaders(r, List.of("host", "x-multi")));
    }
}
