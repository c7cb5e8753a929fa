package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/** Renders S3 errors: an XML {@code <Error>} document, or the status alone for HEAD. */
final class ErrorResponses {
    private ErrorResponses() {
    }

    static void render(HttpServletResponse resp, boolean head, S3Exception e, String resource, String requestId)
            throws IOException {
        S3Error err = e.error();
        resp.reset();
        resp.setHeader("x-amz-request-id", requestId);
        resp.setHeader("x-amz-id-2", requestId);
        resp.setStatus(err.status());
        e.headers().forEach(resp::setHeader);
        if ((err == S3Error.INVALID_RANGE || err == S3Error.INVALID_PART_NUMBER)
                && e.extraElements().containsKey("ActualObjectSize")) {
            resp.setHeader("Content-Range", "bytes */" + e.extraElements().get("ActualObjectSize"));
        }
        if (err == S3Error.SERVICE_UNAVAILABLE) {
            resp.setHeader("Retry-After", "1");
        }
        if (head) {
            resp.setHeader("x-amz-error-code", err.code());
            return;
        }
        Xml x = Xml.plain("Error")
                .el("Code", err.code())
                .el("Message", e.getMessage() == null ? err.message() : e.getMessage());
        for (Map.Entry<String, String> extra : e.extraElements().entrySet()) {
            x.el(extra.getKey(), extra.getValue());
        }
        byte[] body = x.el("Resource", resource).el("RequestId", requestId).el("HostId", requestId).finish();
        resp.setContentType("application/xml");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
