package io.bitnetstreams.connectors.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The PostgreSQL server the integration tests use: Debian's cluster as {@code .ci/run} starts it, reached as role
 * {@code bitnet} (password {@code bitnet}, may create databases). Overridable with {@code -Dbitnet.test.postgres.url}
 * / {@code .user} / {@code .password}. Each test makes and drops its own database.
 */
final class TestPostgres {

    static final String HOST_URL = System.getProperty("bitnet.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/");
    static final String USER = System.getProperty("bitnet.test.postgres.user", "bitnet");
    static final String PASSWORD = System.getProperty("bitnet.test.postgres.password", "bitnet");

    private TestPostgres() {}

    /** Why PostgreSQL cannot be used, or empty when it can. */
    static Optional<String> unavailableReason() {
        try (Connection ignored = connect("postgres")) {
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of("PostgreSQL not reachable at " + HOST_URL + " as " + USER + " (" + e.getMessage()
                    + "); install and start it as .ci/run does: apt-get install -y postgresql; pg_ctlcluster 15 main start;"
                    + " and create role bitnet LOGIN CREATEDB PASSWORD 'bitnet'");
        }
    }

    static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(HOST_URL + database, USER, PASSWORD);
    }

    static String createDatabase(String name) throws SQLException {
        try (Connection admin = connect("postgres"); var statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name);
            statement.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    static void dropDatabase(String name) {
        try (Connection admin = connect("postgres"); var statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            // best effort: a left-over test database is harmless
        }
    }
}
