package org.blockcloset.gateway.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class ResponsesTest {
    @Test
    void httpDatesHaveTwoDigitDaysAsRfc9110Says() {
        // The 7th: RFC_1123_DATE_TIME wrote "Mon, 7 Dec 2026", which strict clients refuse.
        assertEquals("Mon, 07 Dec 2026 16:41:22 GMT", Responses.httpDate(Instant.parse("2026-12-07T16:41:22.987Z")));
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", Responses.httpDate(Instant.EPOCH));
        assertEquals("Sat, 31 Oct 2026 23:59:59 GMT", Responses.httpDate(Instant.parse("2026-10-31T23:59:59Z")));
        // and what we write, we (and every lenient parser) read back
        Instant t = Instant.parse("2026-03-02T03:04:05Z");
        assertEquals(t, ZonedDateTime.parse(Responses.httpDate(t), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    }
}
