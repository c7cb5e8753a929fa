package org.blockcloset.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordsTest {
    @Test
    void aHashVerifiesItsPasswordAndNoOther() {
        String phc = Passwords.hash("correct horse battery");
        assertTrue(phc.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), phc);
        assertTrue(Passwords.verify("correct horse battery", phc));
        assertFalse(Passwords.verify("correct horse batterY", phc));
        assertFalse(Passwords.verify("", phc));
        assertNotEquals(phc, Passwords.hash("correct horse battery"), "every hash has its own salt");
    }

    @Test
    void matchesTheArgon2idReferenceVector() {
        // RFC 9106's reference implementation: argon2 "password" -id -t 2 -m 16 -p 1 with salt "somesalt".
        String phc = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assertTrue(Passwords.verify("password", phc));
    }

    @Test
    void malformedOrAbsurdHashesNeverVerify() {
        assertFalse(Passwords.verify("x", null));
        assertFalse(Passwords.verify("x", "plain"));
        assertFalse(Passwords.verify("x", "$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$AAAA"));
        assertFalse(Passwords.verify("x", "$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHQ$AAAA"), "memory bomb refused");
        assertFalse(Passwords.verify("x", "$argon2id$v=19$m=19456,t=2,p=1$not base64!$AAAA"));
    }

    @Test
    void shortPasswordsAreRefused() {
        assertNotNull(Passwords.weakness("123456789"));
        assertNull(Passwords.weakness("1234567890"));
        assertEquals(Passwords.weakness(null), Passwords.weakness(""));
    }
}
