package org.blockcloset.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The console's node-local state that is not an event (sessions, login throttling): an embedded H2
 * database under the data directory, its schema migrated by Flyway ({@code db/console/V*.sql}),
 * read and written through Jdbi SqlObject DAOs.
 */
public final class ConsoleDb implements AutoCloseable {
    private final JdbcConnectionPool pool;
    private final Jdbi jdbi;

    private ConsoleDb(JdbcConnectionPool pool) {
        this.pool = pool;
        this.jdbi = Jdbi.create(pool).installPlugin(new SqlObjectPlugin());
    }

    /** Opens (creating and migrating as needed) the database in {@code dir}. */
    public static ConsoleDb open(Path dir) throws java.io.IOException {
        Files.createDirectories(dir);
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("console").toAbsolutePath()
                + ";DB_CLOSE_ON_EXIT=FALSE", "console", "");
        Flyway.configure().dataSource(pool).locations("classpath:db/console").load().migrate();
        return new ConsoleDb(pool);
    }

    public Sessions sessions() {
        return jdbi.onDemand(Sessions.class);
    }

    public Failures failures() {
        return jdbi.onDemand(Failures.class);
    }

    public Charts charts() {
        return jdbi.onDemand(Charts.class);
    }

    @Override
    public void close() {
        pool.dispose();
    }

    public record Session(String tokenHash, String username, String csrfToken, long createdAt, long lastSeen, long expiresAt,
                          String client) {
    }

    public record Failure(String client, int failures, long firstFailure, long lockedUntil) {
    }

    public interface Sessions {
        @SqlUpdate("INSERT INTO console_session (token_hash, username, csrf_token, created_at, last_seen, expires_at, client) "
                + "VALUES (:tokenHash, :username, :csrfToken, :createdAt, :lastSeen, :expiresAt, :client)")
        void insert(@Bind("tokenHash") String tokenHash, @Bind("username") String username, @Bind("csrfToken") String csrf,
                    @Bind("createdAt") long createdAt, @Bind("lastSeen") long lastSeen, @Bind("expiresAt") long expiresAt,
                    @Bind("client") String client);

        @SqlQuery("SELECT token_hash, username, csrf_token, created_at, last_seen, expires_at, client FROM console_session "
                + "WHERE token_hash = :tokenHash AND expires_at > :now")
        @RegisterConstructorMapper(Session.class)
        Optional<Session> find(@Bind("tokenHash") String tokenHash, @Bind("now") long now);

        @SqlUpdate("UPDATE console_session SET last_seen = :now, expires_at = :expiresAt WHERE token_hash = :tokenHash")
        void touch(@Bind("tokenHash") String tokenHash, @Bind("now") long now, @Bind("expiresAt") long expiresAt);

        @SqlUpdate("DELETE FROM console_session WHERE token_hash = :tokenHash")
        void delete(@Bind("tokenHash") String tokenHash);

        @SqlUpdate("DELETE FROM console_session WHERE username = :username")
        int deleteAllOf(@Bind("username") String username);

        @SqlUpdate("DELETE FROM console_session WHERE expires_at <= :now")
        int deleteExpired(@Bind("now") long now);
    }

    /** One sampling interval of the request charts. */
    public record Sample(long at, long requests, long clientErrors, long serverErrors, long p50Micros, long p99Micros) {
    }

    public interface Charts {
        @SqlUpdate("MERGE INTO chart_sample (at, requests, client_errors, server_errors, p50_micros, p99_micros) KEY (at) "
                + "VALUES (:at, :requests, :clientErrors, :serverErrors, :p50Micros, :p99Micros)")
        void put(@org.jdbi.v3.sqlobject.customizer.BindMethods Sample sample);

        @SqlQuery("SELECT at, requests, client_errors, server_errors, p50_micros, p99_micros FROM chart_sample "
                + "WHERE at >= :since ORDER BY at")
        @RegisterConstructorMapper(Sample.class)
        java.util.List<Sample> since(@Bind("since") long since);

        @SqlUpdate("DELETE FROM chart_sample WHERE at < :before")
        int deleteBefore(@Bind("before") long before);
    }

    public interface Failures {
        @SqlQuery("SELECT client, failures, first_failure, locked_until FROM login_failure WHERE client = :client")
        @RegisterConstructorMapper(Failure.class)
        Optional<Failure> find(@Bind("client") String client);

        @SqlUpdate("MERGE INTO login_failure (client, failures, first_failure, locked_until) KEY (client) "
                + "VALUES (:client, :failures, :firstFailure, :lockedUntil)")
        void put(@Bind("client") String client, @Bind("failures") int failures, @Bind("firstFailure") long firstFailure,
                 @Bind("lockedUntil") long lockedUntil);

        @SqlUpdate("DELETE FROM login_failure WHERE client = :client")
        void clear(@Bind("client") String client);
    }
}
