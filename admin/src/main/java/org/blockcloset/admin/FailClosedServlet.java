package org.blockcloset.admin;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import org.eclipse.jetty.ee10.servlet.ServletHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * A servlet that does not check its callers (Dropwizard's tasks, metrics, thread dump, CPU profile,
 * health check and menu; Prometheus' exporter), made to check them as {@link AdminAccess} says, on
 * its own, whatever the filter in front did: a request through any door but the probes' and the
 * metrics' needs a console session (and its CSRF token to change anything). A wrapped servlet is
 * never the JSON API or the console's public pages, so those doors count as the session's here.
 */
public final class FailClosedServlet implements Servlet {
    private final Servlet delegate;
    private final AdminAccess access;

    public FailClosedServlet(Servlet delegate, AdminAccess access) {
        this.delegate = delegate;
        this.access = access;
    }

    /**
     * Wraps every servlet of {@code handler} that does not check its own callers; call it before the
     * handler starts. Servlets registered by class (Dropwizard's admin servlet) are instantiated here.
     */
    public static void wrapAll(ServletHandler handler, AdminAccess access) {
        for (ServletHolder holder : handler.getServlets()) {
            Servlet servlet = servletOf(holder);
            if (!(servlet instanceof ChecksItsCallers) && !(servlet instanceof FailClosedServlet)) {
                holder.setServlet(new FailClosedServlet(servlet, access));
            }
        }
    }

    /**
     * The servlet a holder that has not started will run: the instance it was given (Jetty hands it
     * out only once started, so it is read through the holder's protected accessor), or a new one of
     * the class it was given. A holder that cannot be read stops the node from starting unguarded.
     */
    private static Servlet servletOf(ServletHolder holder) {
        try {
            if (holder.isInstance()) {
                java.lang.reflect.Method instance = org.eclipse.jetty.ee10.servlet.BaseHolder.class.getDeclaredMethod("getInstance");
                instance.setAccessible(true);
                return (Servlet) instance.invoke(holder);
            }
            return holder.getHeldClass().getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot guard the admin servlet " + holder.getName(), e);
        }
    }

    /** True when every servlet of {@code handler} checks its callers (for a test). */
    static boolean allGuarded(ServletHandler handler) {
        return Arrays.stream(handler.getServlets()).map(FailClosedServlet::servletOf)
                .allMatch(s -> s instanceof ChecksItsCallers || s instanceof FailClosedServlet);
    }

    @Override
    public void service(ServletRequest request, ServletResponse response) throws ServletException, IOException {
        if (!(request instanceof HttpServletRequest req) || !(response instanceof HttpServletResponse resp)) {
            throw new ServletException("not HTTP");
        }
        if (AdminAccess.refuseUnplainPath(req, resp)) {
            return;
        }
        AdminAccess.Door door = AdminAccess.doorOf(AdminAccess.normalisedPath(req));
        if (door == AdminAccess.Door.API || door == AdminAccess.Door.CONSOLE_PUBLIC) {
            door = AdminAccess.Door.SESSION;
        }
        if (access.admit(req, resp, door)) {
            delegate.service(req, resp);
        }
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
        delegate.init(config);
    }

    @Override
    public ServletConfig getServletConfig() {
        return delegate.getServletConfig();
    }

    @Override
    public String getServletInfo() {
        return delegate.getServletInfo();
    }

    @Override
    public void destroy() {
        delegate.destroy();
    }

    Servlet delegate() {
        return delegate;
    }
}
