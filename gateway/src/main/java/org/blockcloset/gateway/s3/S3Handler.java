package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Serves one S3 operation. Throws {@link S3Exception} for S3 errors. */
@FunctionalInterface
interface S3Handler {
    void handle(S3Request request, HttpServletResponse response) throws IOException;
}
