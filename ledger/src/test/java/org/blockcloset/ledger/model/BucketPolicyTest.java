package org.blockcloset.ledger.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.blockcloset.ledger.model.BucketPolicy.Decision;
import org.junit.jupiter.api.Test;

class BucketPolicyTest {
    private static BucketPolicy policy(String statements) throws Exception {
        return BucketPolicy.parse("{\"Version\": \"2012-10-17\", \"Statement\": [" + statements + "]}", "photos");
    }

    private static Decision ask(BucketPolicy p, String principal, String action, String resource, Map<String, List<String>> context) {
        return p.evaluate(new BucketPolicy.Request(principal, action, resource, context::get));
    }

    private static Decision ask(BucketPolicy p, String principal, String action, String resource) {
        return ask(p, principal, action, resource, Map.of());
    }

    @Test
    void denyWinsOverAllowAndNothingSaidIsNone() throws Exception {
        BucketPolicy p = policy("""
                {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/*"},
                {"Effect": "Deny", "Principal": "*", "Action": "s3:Delete*", "Resource": "arn:aws:s3:::photos/keep/*"}""");
        assertEquals(Decision.ALLOW, ask(p, null, "s3:GetObject", "arn:aws:s3:::photos/a.jpg"));
        assertEquals(Decision.ALLOW, ask(p, "KEY1", "s3:DeleteObject", "arn:aws:s3:::photos/a.jpg"));
        assertEquals(Decision.DENY, ask(p, "KEY1", "s3:DeleteObject", "arn:aws:s3:::photos/keep/a.jpg"));
        assertEquals(Decision.DENY, ask(p, "KEY1", "s3:deleteobjectversion", "arn:aws:s3:::photos/keep/a.jpg"),
                "actions compare without case");
        assertEquals(Decision.NONE, ask(p, "KEY1", "s3:ListBucket", "arn:aws:s3:::photos"), "the bucket itself is not photos/*");
    }

    @Test
    void principalsAreAccessKeysNamedAsIdsOrArns() throws Exception {
        BucketPolicy p = policy("""
                {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::ALICE:root", "BOB", "arn:aws:iam::CAROL:user/carol"]},
                 "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}""");
        for (String who : List.of("ALICE", "BOB", "CAROL")) {
            assertEquals(Decision.ALLOW, ask(p, who, "s3:GetObject", "arn:aws:s3:::photos/x"), who);
        }
        assertEquals(Decision.NONE, ask(p, "DAVE", "s3:GetObject", "arn:aws:s3:::photos/x"));
        assertEquals(Decision.NONE, ask(p, null, "s3:GetObject", "arn:aws:s3:::photos/x"), "anonymous is not a named key");
        BucketPolicy everyoneBut = policy("""
                {"Effect": "Deny", "NotPrincipal": {"AWS": "ALICE"}, "NotAction": "s3:Get*", "NotResource": "arn:aws:s3:::photos/tmp/*"}""");
        assertEquals(Decision.DENY, ask(everyoneBut, "BOB", "s3:PutObject", "arn:aws:s3:::photos/x"));
        assertEquals(Decision.NONE, ask(everyoneBut, "ALICE", "s3:PutObject", "arn:aws:s3:::photos/x"));
        assertEquals(Decision.NONE, ask(everyoneBut, "BOB", "s3:GetObject", "arn:aws:s3:::photos/x"));
        assertEquals(Decision.NONE, ask(everyoneBut, "BOB", "s3:PutObject", "arn:aws:s3:::photos/tmp/x"));
    }

    @Test
    void conditionsHoldForEveryKeyAndAnyValue() throws Exception {
        BucketPolicy p = policy("""
                {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::photos",
                 "Condition": {"StringLike": {"s3:prefix": ["2026/*", "shared/*"]},
                               "IpAddress": {"aws:SourceIp": ["192.168.1.0/24", "::1"]},
                               "NumericLessThanEquals": {"s3:max-keys": "100"}}}""");
        assertEquals(Decision.ALLOW, ask(p, null, "s3:ListBucket", "arn:aws:s3:::photos", Map.of("s3:prefix", List.of("2026/06/"),
                "aws:sourceip", List.of("192.168.1.20"), "s3:max-keys", List.of("50"))));
        assertEquals(Decision.NONE, ask(p, null, "s3:ListBucket", "arn:aws:s3:::photos", Map.of("s3:prefix", List.of("2026/06/"),
                "aws:sourceip", List.of("192.168.1.20"), "s3:max-keys", List.of("500"))), "more keys than the condition allows");
        assertEquals(Decision.ALLOW, ask(p, null, "s3:ListBucket", "arn:aws:s3:::photos", Map.of("s3:prefix", List.of("shared/"),
                "aws:sourceip", List.of("0:0:0:0:0:0:0:1"), "s3:max-keys", List.of("1"))), "IPv6, and the second prefix");
        assertEquals(Decision.NONE, ask(p, null, "s3:ListBucket", "arn:aws:s3:::photos", Map.of("s3:prefix", List.of("2026/06/"),
                "aws:sourceip", List.of("10.0.0.1"), "s3:max-keys", List.of("50"))), "outside the address range");
        assertEquals(Decision.NONE, ask(p, null, "s3:ListBucket", "arn:aws:s3:::photos", Map.of("aws:sourceip",
                List.of("192.168.1.20"), "s3:max-keys", List.of("50"))), "no prefix in the request: the condition does not hold");
    }

    @Test
    void negatedOperatorsIfExistsAndNullTreatAMissingKeyAsAwsDoes() throws Exception {
        BucketPolicy notOverTls = policy("""
                {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/*",
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}""");
        assertEquals(Decision.DENY, ask(notOverTls, "K", "s3:GetObject", "arn:aws:s3:::photos/x",
                Map.of("aws:securetransport", List.of("false"))));
        assertEquals(Decision.NONE, ask(notOverTls, "K", "s3:GetObject", "arn:aws:s3:::photos/x",
                Map.of("aws:securetransport", List.of("true"))));
        BucketPolicy onlyPrivate = policy("""
                {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::photos/*",
                 "Condition": {"StringNotEquals": {"s3:x-amz-acl": "private"}}}""");
        assertEquals(Decision.DENY, ask(onlyPrivate, "K", "s3:PutObject", "arn:aws:s3:::photos/x",
                Map.of("s3:x-amz-acl", List.of("public-read"))));
        assertEquals(Decision.NONE, ask(onlyPrivate, "K", "s3:PutObject", "arn:aws:s3:::photos/x",
                Map.of("s3:x-amz-acl", List.of("private"))));
        assertEquals(Decision.DENY, ask(onlyPrivate, "K", "s3:PutObject", "arn:aws:s3:::photos/x"),
                "a negated operator holds when the request lacks the key");
        BucketPolicy ifExists = policy("""
                {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::photos/*",
                 "Condition": {"StringEqualsIfExists": {"s3:x-amz-acl": "public-read"}}}""");
        assertEquals(Decision.DENY, ask(ifExists, "K", "s3:PutObject", "arn:aws:s3:::photos/x"));
        BucketPolicy needsTags = policy("""
                {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::photos/*",
                 "Condition": {"Null": {"s3:RequestObjectTag/owner": "true"}}}""");
        assertEquals(Decision.DENY, ask(needsTags, "K", "s3:PutObject", "arn:aws:s3:::photos/x"));
        assertEquals(Decision.NONE, ask(needsTags, "K", "s3:PutObject", "arn:aws:s3:::photos/x",
                Map.of("s3:requestobjecttag/owner", List.of("ana"))));
        BucketPolicy knownTags = policy("""
                {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::photos/*",
                 "Condition": {"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["owner", "year"]}}}""");
        assertEquals(Decision.ALLOW, ask(knownTags, "K", "s3:PutObject", "arn:aws:s3:::photos/x",
                Map.of("s3:requestobjecttagkeys", List.of("owner"))));
        assertEquals(Decision.NONE, ask(knownTags, "K", "s3:PutObject", "arn:aws:s3:::photos/x",
                Map.of("s3:requestobjecttagkeys", List.of("owner", "secret"))));
    }

    @Test
    void malformedPoliciesAreRefusedWithTheirReason() {
        Map<String, String> bad = Map.of(
                "[]", "first byte",
                "{\"Statement\": []}", "Statement",
                "{\"Version\": \"2020-01-01\", \"Statement\": {}}", "version",
                "{\"Statement\": {\"Effect\": \"Maybe\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}}", "effect",
                "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}}", "Principal",
                "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"ec2:RunInstances\", \"Resource\": \"*\"}}", "action",
                "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::other/*\"}}", "resource",
                "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\", "
                        + "\"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"nas.local\"}}}}", "Condition value",
                "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\", "
                        + "\"Condition\": {\"StringRoughly\": {\"s3:prefix\": \"a\"}}}}", "Condition type");
        bad.forEach((text, reason) -> {
            BucketPolicy.InvalidPolicyException e = assertThrows(BucketPolicy.InvalidPolicyException.class,
                    () -> BucketPolicy.parse(text, "photos"), text);
            assertTrue(e.getMessage().contains(reason), e.getMessage() + " should say " + reason);
        });
        assertThrows(BucketPolicy.InvalidPolicyException.class, () -> BucketPolicy.parse("{" + "\"a\": 1,".repeat(5000) + "}", "photos"),
                "larger than S3's 20 KiB");
    }

    @Test
    void whatAReviewFoundIsRefusedOrJudgedAsIamDoes() throws Exception {
        String allow = "\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"";
        for (String bad : List.of(
                "{\"Statement\": {\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": \"*\", \"Effect\": \"Allow\"}}",
                "{\"Statement\": {" + allow + "}} trailing",
                "{\"Statement\": {" + allow + ", \"NotAction\": \"s3:PutObject\"}}",
                "{\"Statement\": {" + allow + ", \"Condition\": {\"StringNotEquals\": {\"s3:ExistingObjectTag/private\": \"true\"}}}}",
                "{\"Statement\": {" + allow + ", \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"256.1.1.1\"}}}}")) {
            assertThrows(BucketPolicy.InvalidPolicyException.class, () -> BucketPolicy.parse(bad, "photos"), bad);
        }
        BucketPolicy anyAccount = policy("""
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::*:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}""");
        assertEquals(Decision.ALLOW, ask(anyAccount, "K", "s3:GetObject", "arn:aws:s3:::photos/x"));
        assertEquals(Decision.NONE, ask(anyAccount, null, "s3:GetObject", "arn:aws:s3:::photos/x"), "any account is not anonymous");
        BucketPolicy anyNot = policy("""
                {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::photos/*",
                 "Condition": {"ForAnyValue:StringNotEquals": {"s3:RequestObjectTagKeys": "secret"}}}""");
        assertEquals(Decision.NONE, ask(anyNot, "K", "s3:PutObject", "arn:aws:s3:::photos/x"), "ForAnyValue of nothing is false");
        BucketPolicy ipv6 = policy("""
                {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/*",
                 "Condition": {"NotIpAddress": {"aws:SourceIp": "::1/128"}}}""");
        assertEquals(Decision.NONE, ask(ipv6, "K", "s3:GetObject", "arn:aws:s3:::photos/x", Map.of("aws:sourceip", List.of("[::1]"))),
                "a bracketed IPv6 address is still the address");
        assertTrue(policy("""
                {"Effect": "Allow", "NotPrincipal": {"AWS": "K"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}""").isPublic());
        assertTrue(policy("""
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*",
                 "Condition": {"Bool": {"aws:SecureTransport": "true"}}}""").isPublic(), "TLS does not narrow who");
        assertTrue(policy("""
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*",
                 "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}""").isPublic(), "every address is everyone");
        assertTrue(BucketPolicy.wellFormed("{\"Statement\": \"anything a future parser may refuse\"}"),
                "the fold checks only what cannot change");
        assertFalse(BucketPolicy.wellFormed("[1]"));
    }

    @Test
    void publicMeansAnAllowToEveryoneWithoutACondition() throws Exception {
        assertTrue(policy("{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\"}")
                .isPublic());
        assertFalse(policy("""
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*",
                 "Condition": {"IpAddress": {"aws:SourceIp": "192.168.0.0/16"}}}""").isPublic());
        assertFalse(policy("{\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": \"*\"}").isPublic());
    }

    @Test
    void wildcardsMatchAsIamDoes() {
        assertTrue(BucketPolicy.like("photos/2026/a.jpg", "photos/*/a.jpg", false));
        assertTrue(BucketPolicy.like("photos/a.jpg", "photos/?.jpg", false));
        assertFalse(BucketPolicy.like("photos/ab.jpg", "photos/?.jpg", false));
        assertTrue(BucketPolicy.like("anything", "*", false));
        assertFalse(BucketPolicy.like("Photos/a", "photos/*", false));
        assertTrue(BucketPolicy.like("s3:GetObject", "S3:get*", true));
    }
}
