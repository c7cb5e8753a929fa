package org.blockcloset.gateway.error;

import org.blockcloset.gateway.error.S3Error;
import java.util.LinkedHashMap;
import java.util.Map;

/** Thrown anywhere in request handling; rendered as an S3 XML error by the servlet. */
public class S3Exception extends RuntimeException {
    private final S3Error error;
    private final Map<String, String> extraElements = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public S3Exception(S3Error error) {
        this(error, error.message());
    }

    public S3Exception(S3Error error, String message) {
        super(message);
        this.error = error;
    }

    public S3Exception(S3Error error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public S3Error error() {
        return error;
    }

    /** Adds an element to the error document, as S3 does (e.g. {@code <Expires>}, {@code <ServerTime>}). */
    public S3Exception with(String element, String value) {
        extraElements.put(element, value);
        return this;
    }

    /** Adds a response header to the error (x-amz-delete-marker, x-amz-version-id on a deleted key). */
    public S3Exception withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Map<String, String> extraElements() {
        return extraElements;
    }
}
