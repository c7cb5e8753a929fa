package org.blockcloset.gateway.auth;

import java.util.Arrays;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;

/** A parsed {@code <key>/<yyyyMMdd>/<region>/s3/aws4_request} credential. */
record CredentialScope(String accessKeyId, String date, String region, String service) {

    /** The scope as it appears in the string to sign (everything after the access key). */
    String scope() {
        return date + "/" + region + "/" + service + "/aws4_request";
    }

    /**
     * Parses a credential. Any region is accepted: the signature is checked with the region the
     * client signed with, because self-hosted users routinely configure a region that differs
     * from the gateway's.
     */
    static CredentialScope parse(String credential, S3Error malformed) {
        return parse(credential, malformed, "s3");
    }

    /** As {@link #parse(String, S3Error)}, for an endpoint whose scope names {@code expectedService}. */
    static CredentialScope parse(String credential, S3Error malformed, String expectedService) {
        // Split from the right so an access key that contains '/' still parses.
        String[] parts = credential.split("/", -1);
        if (parts.length < 5) {
            throw new S3Exception(malformed, "Error parsing the Credential parameter; expected <key>/<date>/<region>/s3/aws4_request: " + credential);
        }
        int n = parts.length;
        String accessKey = String.join("/", Arrays.copyOf(parts, n - 4));
        String date = parts[n - 4];
        String region = parts[n - 3];
        String service = parts[n - 2];
        if (accessKey.isEmpty()) {
            throw new S3Exception(malformed, "The Credential parameter has an empty access key.");
        }
        if (date.length() != 8 || !date.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new S3Exception(malformed, "Invalid credential date \"" + date + "\".");
        }
        if (region.isEmpty()) {
            throw new S3Exception(malformed, "The Credential parameter has an empty region.");
        }
        if (!service.equals(expectedService)) {
            throw new S3Exception(malformed, "Incorrect service \"" + service + "\". This endpoint belongs to \""
                    + expectedService + "\".");
        }
        if (!parts[n - 1].equals("aws4_request")) {
            throw new S3Exception(malformed, "Incorrect terminal \"" + parts[n - 1] + "\". This endpoint uses \"aws4_request\".");
        }
        return new CredentialScope(accessKey, date, region, service);
    }
}
