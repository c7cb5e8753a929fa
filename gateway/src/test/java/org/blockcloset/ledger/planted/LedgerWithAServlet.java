package org.blockcloset.ledger.planted;

/** A planted violation for LayeringTest: a class in the ledger's packages that knows the servlet API. */
public final class LedgerWithAServlet {
    public String path(jakarta.servlet.http.HttpServletRequest req) {
        return req.getRequestURI();
    }
}
