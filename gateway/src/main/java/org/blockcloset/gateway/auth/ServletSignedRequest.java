package org.blockcloset.gateway.auth;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.blockcloset.gateway.auth.SignedRequest;

/** The servlet request as SigV4 sees it: raw path and query, headers as received. */
public final class ServletSignedRequest implements SignedRequest {
    private final HttpServletRequest http;

    public ServletSignedRequest(HttpServletRequest http) {
        this.http = http;
    }

    @Override
    public String method() {
        return http.getMethod();
    }

    @Override
    public String rawPath() {
        return http.getRequestURI();
    }

    @Override
    public String rawQuery() {
        return http.getQueryString();
    }

    @Override
    public List<String> headers(String lowercaseName) {
        return Collections.list(http.getHeaders(lowercaseName));
    }

    @Override
    public Collection<String> headerNames() {
        List<String> names = new ArrayList<>();
        for (String n : Collections.list(http.getHeaderNames())) {
            names.add(n.toLowerCase(Locale.ROOT));
        }
        return names;
    }
}
