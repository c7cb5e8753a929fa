package org.blockcloset.ledger.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A bucket policy (ADR 0020): the statements of S3's policy language that a homelab store needs,
 * parsed once and evaluated for each request. A statement matches when its principal, action,
 * resource and every condition match; an explicit {@code Deny} of any matching statement wins over
 * every {@code Allow}; no matching statement leaves the decision to the key's permissions and ACLs.
 *
 * <p>Principals are access keys: an access key's id is its account id and canonical user id, so
 * {@code "AKID"}, {@code "arn:aws:iam::AKID:root"} and {@code "arn:aws:iam::AKID:user/name"} all name
 * key {@code AKID}; {@code "*"} (or {@code {"AWS": "*"}}) is everyone, anonymous callers included.
 */
public final class BucketPolicy {
    /** S3's limit on a bucket policy's size. */
    public static final int MAX_BYTES = 20 * 1024;
    /** Duplicate keys and trailing content are malformed: {"Effect": "Deny", …, "Effect": "Allow"} must not allow. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /**
     * The condition keys this store fills in; a policy naming another is refused, because a key the
     * request never carries would make a negated operator hold for every request.
     */
    private static final Set<String> KEYS = Set.of("aws:sourceip", "aws:securetransport", "aws:currenttime", "aws:epochtime",
            "aws:useragent", "aws:referer", "aws:username", "aws:userid", "aws:principalaccount", "aws:principaltype",
            "s3:prefix", "s3:delimiter", "s3:max-keys", "s3:versionid", "s3:x-amz-acl", "s3:x-amz-copy-source",
            "s3:x-amz-server-side-encryption", "s3:x-amz-storage-class", "s3:x-amz-metadata-directive",
            "s3:x-amz-content-sha256", "s3:object-lock-mode", "s3:object-lock-legal-hold", "s3:requestobjecttagkeys");
    /** A principal of the form arn:aws:iam::*:…: any signed caller, never an anonymous one. */
    private static final String ANY_KEY = "*signed";
    private static final Set<String> OPERATORS = Set.of("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
            "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals",
            "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "IpAddress",
            "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null");

    private final List<Statement> statements;

    private BucketPolicy(List<Statement> statements) {
        this.statements = statements;
    }

    /** What the policy says about a request. */
    public enum Decision {
        /** An Allow statement matches and no Deny does. */
        ALLOW,
        /** A Deny statement matches. */
        DENY,
        /** No statement matches: the key's permissions and the ACLs decide. */
        NONE
    }

    /** The policy refused, with S3's reason (its MalformedPolicy message). */
    public static final class InvalidPolicyException extends Exception {
        public InvalidPolicyException(String message) {
            super(message);
        }
    }

    /**
     * What a request is, as the policy sees it.
     *
     * @param principal the access key id, or null for an anonymous caller
     * @param action    the S3 action, e.g. {@code s3:GetObject}
     * @param resource  the ARN acted on: {@code arn:aws:s3:::bucket} or {@code arn:aws:s3:::bucket/key}
     * @param context   condition keys (lower-case names) to their values; absent keys are not in the request
     */
    public record Request(String principal, String action, String resource, Function<String, List<String>> context) {
    }

    /**
     * Parses and checks a policy given for {@code bucket}: every statement names an effect, a
     * principal, actions and resources of this bucket, and only known condition operators.
     */
    public static BucketPolicy parse(String text, String bucket) throws InvalidPolicyException {
        if (text == null || text.isBlank()) {
            throw new InvalidPolicyException("Policies must be valid JSON and the first byte must be '{'");
        }
        if (text.length() > MAX_BYTES) {
            throw new InvalidPolicyException("Policies must be at most " + MAX_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidPolicyException("Policies must be valid JSON and the first byte must be '{'");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidPolicyException("Policies must be valid JSON and the first byte must be '{'");
        }
        JsonNode version = root.get("Version");
        if (version != null && !version.asText().equals("2012-10-17") && !version.asText().equals("2008-10-17")) {
            throw new InvalidPolicyException("Policy has an invalid version: " + version.asText());
        }
        JsonNode body = root.get("Statement");
        if (body == null || body.isNull() || (body.isArray() && body.isEmpty())) {
            throw new InvalidPolicyException("Missing required field Statement");
        }
        List<Statement> statements = new ArrayList<>();
        for (JsonNode s : body.isArray() ? body : List.of(body)) {
            statements.add(Statement.parse(s, bucket));
        }
        return new BucketPolicy(List.copyOf(statements));
    }

    /**
     * What the views check of a stored policy: a JSON object within the size limit. Only this, so
     * that replaying an old event never depends on how strict today's parser is; the gateway parses
     * the text fully when it is put and when it is used.
     */
    public static boolean wellFormed(String text) {
        if (text == null || text.length() > MAX_BYTES) {
            return false;
        }
        try {
            JsonNode root = new ObjectMapper().readTree(text);
            return root != null && root.isObject();
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /** Deny over allow over nothing said. */
    public Decision evaluate(Request request) {
        boolean allowed = false;
        for (Statement s : statements) {
            if (s.matches(request)) {
                if (!s.allow) {
                    return Decision.DENY;
                }
                allowed = true;
            }
        }
        return allowed ? Decision.ALLOW : Decision.NONE;
    }

    /**
     * Whether the policy opens the bucket to everyone (GetBucketPolicyStatus): an Allow statement for
     * any principal without a condition that narrows who may use it.
     */
    public boolean isPublic() {
        return statements.stream().anyMatch(s -> s.allow && (s.notPrincipal || s.principals.contains("*"))
                && s.conditions.stream().noneMatch(Condition::narrowsWho));
    }

    private record Statement(boolean allow, List<String> principals, boolean notPrincipal, List<String> actions,
                             boolean notAction, List<String> resources, boolean notResource, List<Condition> conditions) {

        static Statement parse(JsonNode s, String bucket) throws InvalidPolicyException {
            if (!s.isObject()) {
                throw new InvalidPolicyException("Statement must be an object");
            }
            String effect = s.path("Effect").asText("");
            if (!effect.equals("Allow") && !effect.equals("Deny")) {
                throw new InvalidPolicyException("Invalid effect: " + effect);
            }
            boolean notPrincipal = s.has("NotPrincipal");
            JsonNode p = notPrincipal ? s.get("NotPrincipal") : s.get("Principal");
            if (p == null || (s.has("Principal") && s.has("NotPrincipal"))) {
                throw new InvalidPolicyException("Missing required field Principal");
            }
            List<String> principals = principals(p);
            if (s.has("Action") && s.has("NotAction") || s.has("Resource") && s.has("NotResource")) {
                throw new InvalidPolicyException("A statement gives Action or Resource with its Not form");
            }
            boolean notAction = s.has("NotAction");
            List<String> actions = strings(notAction ? s.get("NotAction") : s.get("Action"), "Action");
            for (String a : actions) {
                if (!a.equals("*") && !a.toLowerCase(Locale.ROOT).startsWith("s3:")) {
                    throw new InvalidPolicyException("Policy has invalid action");
                }
            }
            boolean notResource = s.has("NotResource");
            List<String> resources = strings(notResource ? s.get("NotResource") : s.get("Resource"), "Resource");
            for (String r : resources) {
                if (!r.equals("*") && !r.equals("arn:aws:s3:::" + bucket) && !r.startsWith("arn:aws:s3:::" + bucket + "/")
                        && !(r.startsWith("arn:aws:s3:::") && wildcardCovers(r.substring("arn:aws:s3:::".length()), bucket))) {
                    throw new InvalidPolicyException("Policy has invalid resource");
                }
            }
            List<Condition> conditions = new ArrayList<>();
            JsonNode c = s.get("Condition");
            if (c != null && !c.isNull()) {
                if (!c.isObject()) {
                    throw new InvalidPolicyException("Invalid Condition");
                }
                for (Iterator<Map.Entry<String, JsonNode>> ops = c.fields(); ops.hasNext(); ) {
                    Map.Entry<String, JsonNode> op = ops.next();
                    if (!op.getValue().isObject()) {
                        throw new InvalidPolicyException("Invalid Condition block for " + op.getKey());
                    }
                    for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
                        Map.Entry<String, JsonNode> key = keys.next();
                        conditions.add(Condition.parse(op.getKey(), key.getKey(), strings(key.getValue(), "Condition")));
                    }
                }
            }
            return new Statement(effect.equals("Allow"), principals, notPrincipal, actions, notAction, resources, notResource,
                    List.copyOf(conditions));
        }

        /** Whether a resource pattern with wildcards in its bucket part (arn:aws:s3:::*) may name this bucket. */
        private static boolean wildcardCovers(String pattern, String bucket) {
            String bucketPart = pattern.contains("/") ? pattern.substring(0, pattern.indexOf('/')) : pattern;
            return (bucketPart.contains("*") || bucketPart.contains("?")) && like(bucket, bucketPart, false);
        }

        private static List<String> principals(JsonNode p) throws InvalidPolicyException {
            if (p.isTextual()) {
                if (!p.asText().equals("*")) {
                    throw new InvalidPolicyException("Invalid principal in policy");
                }
                return List.of("*");
            }
            if (!p.isObject() || !p.has("AWS") && !p.has("CanonicalUser")) {
                throw new InvalidPolicyException("Invalid principal in policy");
            }
            List<String> ids = new ArrayList<>();
            for (String field : List.of("AWS", "CanonicalUser")) {
                if (p.has(field)) {
                    for (String id : strings(p.get(field), "Principal")) {
                        String account = id.equals("*") ? "*" : accountOf(id);
                        ids.add(id.equals("*") ? "*" : account.equals("*") ? ANY_KEY : account);
                    }
                }
            }
            return List.copyOf(ids);
        }

        /** The access key a principal names: the id itself, or the account of an IAM ARN. */
        private static String accountOf(String id) throws InvalidPolicyException {
            if (!id.startsWith("arn:")) {
                return id;
            }
            String[] parts = id.split(":", 6);
            if (parts.length < 6 || !parts[2].equals("iam") || parts[4].isEmpty()) {
                throw new InvalidPolicyException("Invalid principal in policy");
            }
            return parts[4];
        }

        boolean matches(Request r) {
            boolean principal = principals.contains("*")
                    || (r.principal() != null && (principals.contains(r.principal()) || principals.contains(ANY_KEY)));
            if (principal == notPrincipal) {
                return false;
            }
            boolean action = actions.stream().anyMatch(a -> like(r.action(), a, true));
            if (action == notAction) {
                return false;
            }
            boolean resource = resources.stream().anyMatch(p -> like(r.resource(), p, false));
            if (resource == notResource) {
                return false;
            }
            return conditions.stream().allMatch(c -> c.holds(r.context()));
        }
    }

    /**
     * One condition: an operator (with its IfExists and ForAnyValue/ForAllValues forms) on one key
     * and its values. Within a key, any value matches (for the negated operators: none does).
     */
    private record Condition(String operator, boolean ifExists, String quantifier, String key, List<String> values) {

        static Condition parse(String operator, String key, List<String> values) throws InvalidPolicyException {
            String quantifier = null;
            String op = operator;
            int colon = op.indexOf(':');
            if (colon > 0) {
                quantifier = op.substring(0, colon);
                if (!quantifier.equals("ForAnyValue") && !quantifier.equals("ForAllValues")) {
                    throw new InvalidPolicyException("Invalid Condition type : " + operator);
                }
                op = op.substring(colon + 1);
            }
            boolean ifExists = op.endsWith("IfExists");
            if (ifExists) {
                op = op.substring(0, op.length() - "IfExists".length());
            }
            if (!OPERATORS.contains(op)) {
                throw new InvalidPolicyException("Invalid Condition type : " + operator);
            }
            for (String v : values) {
                check(op, v);
            }
            String k = key.toLowerCase(Locale.ROOT);
            if (!KEYS.contains(k) && !k.startsWith("s3:requestobjecttag/")) {
                throw new InvalidPolicyException("Policy has an unsupported condition key: " + key);
            }
            return new Condition(op, ifExists, quantifier, k, List.copyOf(values));
        }

        private static void check(String op, String v) throws InvalidPolicyException {
            try {
                if (op.startsWith("Numeric")) {
                    new BigDecimal(v);
                } else if (op.startsWith("Date")) {
                    date(v);
                } else if (op.endsWith("IpAddress")) {
                    Cidr.parse(v);
                } else if ((op.equals("Bool") || op.equals("Null")) && !v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    throw new IllegalArgumentException(v);
                }
            } catch (RuntimeException e) {
                throw new InvalidPolicyException("Invalid Condition value for " + op + ": " + v);
            }
        }

        /**
         * Whether this condition limits who may use an Allow (GetBucketPolicyStatus): a source address
         * range other than everything, or a named caller without a wildcard.
         */
        boolean narrowsWho() {
            boolean positive = !negated() && quantifier == null;
            if (key.equals("aws:sourceip")) {
                return operator.equals("IpAddress") && values.stream().noneMatch(v -> v.endsWith("/0"));
            }
            if (key.equals("aws:userid") || key.equals("aws:username") || key.equals("aws:principalaccount")) {
                return positive && values.stream().noneMatch(v -> v.contains("*") || v.contains("?"));
            }
            return false;
        }

        boolean holds(Function<String, List<String>> context) {
            List<String> present = context.apply(key);
            if (operator.equals("Null")) {
                boolean absent = present == null || present.isEmpty();
                return values.stream().anyMatch(v -> Boolean.parseBoolean(v.toLowerCase(Locale.ROOT)) == absent);
            }
            if (present == null || present.isEmpty()) {
                // A key the request lacks matches no value: true for IfExists, for ForAllValues (vacuously)
                // and for the negated operators, false otherwise.
                return ifExists || "ForAllValues".equals(quantifier) || (negated() && quantifier == null);
            }
            if ("ForAllValues".equals(quantifier)) {
                return present.stream().allMatch(this::matchesOne);
            }
            if ("ForAnyValue".equals(quantifier)) {
                return present.stream().anyMatch(this::matchesOne);
            }
            return negated() ? present.stream().allMatch(this::matchesOne) : present.stream().anyMatch(this::matchesOne);
        }

        private boolean negated() {
            return operator.contains("Not");
        }

        /** One request value against the condition's values (a negated operator: against none of them). */
        private boolean matchesOne(String actual) {
            boolean any = values.stream().anyMatch(v -> positive(actual, v));
            return negated() ? !any : any;
        }

        private boolean positive(String actual, String v) {
            try {
                return switch (operator) {
                    case "StringEquals", "StringNotEquals", "ArnEquals", "ArnNotEquals" -> actual.equals(v);
                    case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase" -> actual.equalsIgnoreCase(v);
                    case "StringLike", "StringNotLike", "ArnLike", "ArnNotLike" -> like(actual, v, false);
                    case "NumericEquals", "NumericNotEquals" -> new BigDecimal(actual).compareTo(new BigDecimal(v)) == 0;
                    case "NumericLessThan" -> new BigDecimal(actual).compareTo(new BigDecimal(v)) < 0;
                    case "NumericLessThanEquals" -> new BigDecimal(actual).compareTo(new BigDecimal(v)) <= 0;
                    case "NumericGreaterThan" -> new BigDecimal(actual).compareTo(new BigDecimal(v)) > 0;
                    case "NumericGreaterThanEquals" -> new BigDecimal(actual).compareTo(new BigDecimal(v)) >= 0;
                    case "DateEquals", "DateNotEquals" -> date(actual).equals(date(v));
                    case "DateLessThan" -> date(actual).isBefore(date(v));
                    case "DateLessThanEquals" -> !date(actual).isAfter(date(v));
                    case "DateGreaterThan" -> date(actual).isAfter(date(v));
                    case "DateGreaterThanEquals" -> !date(actual).isBefore(date(v));
                    case "Bool" -> actual.equalsIgnoreCase(v);
                    case "IpAddress", "NotIpAddress" -> Cidr.parse(v).contains(actual);
                    default -> false;
                };
            } catch (RuntimeException malformedRequestValue) {
                return false; // a value of the request that is not a number, date or address matches nothing
            }
        }
    }

    /** An ISO-8601 instant or epoch seconds, as policies write dates. */
    private static Instant date(String v) {
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            if (v.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return Instant.parse(v + "T00:00:00Z");
            }
            return Instant.ofEpochSecond(Long.parseLong(v));
        }
    }

    /** An address range of IpAddress/NotIpAddress: a CIDR block or one address, IPv4 or IPv6. */
    private record Cidr(byte[] network, int bits) {
        static Cidr parse(String v) {
            String[] parts = v.trim().split("/", 2);
            if (!literal(parts[0])) {
                throw new IllegalArgumentException("not an address: " + v); // never a name to resolve
            }
            byte[] address = address(parts[0]);
            int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
            if (bits < 0 || bits > address.length * 8) {
                throw new IllegalArgumentException("bad prefix length: " + v);
            }
            return new Cidr(address, bits);
        }

        boolean contains(String address) {
            String actual = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
            if (actual.indexOf('%') > 0) {
                actual = actual.substring(0, actual.indexOf('%')); // an IPv6 zone
            }
            if (!literal(actual)) {
                return false;
            }
            byte[] a = address(actual);
            if (a.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        /** An IPv4 dotted quad or an IPv6 literal: what InetAddress reads without a name lookup. */
        private static boolean literal(String s) {
            if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                for (String octet : s.split("\\.")) {
                    if (Integer.parseInt(octet) > 255) {
                        return false; // InetAddress would look "256.1.1.1" up as a name
                    }
                }
                return true;
            }
            return s.contains(":") && s.matches("[0-9a-fA-F:.]+");
        }

        private static byte[] address(String literal) {
            try {
                return InetAddress.getByName(literal).getAddress(); // a literal: no lookup is made
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(literal);
            }
        }
    }

    /**
     * IAM's wildcard match: {@code *} any run of characters, {@code ?} one character; actions compare
     * without regard to case.
     */
    static boolean like(String value, String pattern, boolean ignoreCase) {
        String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
        String p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
        int vi = 0;
        int pi = 0;
        int star = -1;
        int mark = 0;
        while (vi < v.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == v.charAt(vi))) {
                vi++;
                pi++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = vi;
            } else if (star >= 0) {
                pi = star + 1;
                vi = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }

    private static List<String> strings(JsonNode n, String field) throws InvalidPolicyException {
        if (n == null || n.isNull()) {
            throw new InvalidPolicyException("Missing required field " + field);
        }
        if (n.isArray()) {
            if (n.isEmpty()) {
                throw new InvalidPolicyException("Missing required field " + field);
            }
            List<String> out = new ArrayList<>();
            for (JsonNode e : n) {
                if (!e.isValueNode()) {
                    throw new InvalidPolicyException("Invalid " + field);
                }
                out.add(e.asText());
            }
            return List.copyOf(out);
        }
        if (!n.isValueNode()) {
            throw new InvalidPolicyException("Invalid " + field);
        }
        return List.of(n.asText());
    }
}
