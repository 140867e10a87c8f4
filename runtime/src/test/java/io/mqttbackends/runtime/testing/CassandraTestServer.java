package io.mqttbackends.runtime.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import io.mqttbackends.model.conf.HostPort;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * This test run's Cassandra: a real server, by default the one {@code deploy/local/cassandra.sh start} runs on
 * {@value #DEFAULT_HOST}:{@value #DEFAULT_PORT} in datacenter {@value #DEFAULT_DATACENTER} ({@code deploy/local/test.sh}
 * starts it for the run). {@value #VARIABLE} names another one as {@code [user:password@]host:port[/datacenter]}.
 *
 * <p>There is no stand-in: when nothing answers, the first test that needs Cassandra fails, saying how to start it,
 * rather than being skipped and passing unseen.
 */
public final class CassandraTestServer {
    /** The environment variable naming another Cassandra to test against. */
    public static final String VARIABLE = "MQTTBACKENDS_TEST_CASSANDRA";
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9042;
    public static final String DEFAULT_DATACENTER = "datacenter1";

    /**
     * The time a test client's request may take. Schema changes on a 2-core machine shared by several test runs take
     * seconds; the driver's default of 2 s fails them although the server is well.
     */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private static final Spec SPEC = Spec.parse(System.getenv(VARIABLE));

    /**
     * Where a Cassandra is and how to log in to it.
     *
     * @param server     its CQL address
     * @param datacenter the local datacenter the driver must be given
     * @param username   the login, empty for a server that authenticates nobody
     * @param password   its password
     */
    public record Spec(HostPort server, String datacenter, String username, String password) {

        /** {@code [user:password@]host[:port][/datacenter]}; the default server when blank or absent. */
        public static Spec parse(String value) {
            if (value == null || value.isBlank()) {
                return new Spec(new HostPort(DEFAULT_HOST, DEFAULT_PORT), DEFAULT_DATACENTER, "", "");
            }
            String rest = value.trim();
            String username = "";
            String password = "";
            int at = rest.lastIndexOf('@');
            if (at >= 0) {
                String login = rest.substring(0, at);
                int colon = login.indexOf(':');
                username = colon < 0 ? login : login.substring(0, colon);
                password = colon < 0 ? "" : login.substring(colon + 1);
                rest = rest.substring(at + 1);
            }
            int slash = rest.indexOf('/');
            String datacenter = slash < 0 ? DEFAULT_DATACENTER : rest.substring(slash + 1);
            String address = slash < 0 ? rest : rest.substring(0, slash);
            HostPort server = HostPort.parse(address, DEFAULT_PORT).orElseThrow(() -> new IllegalArgumentException(
                    VARIABLE + "=" + value + ": expected [user:password@]host:port[/datacenter]"));
            return new Spec(server, datacenter, username, password);
        }

        /** The {@code nodes} value of a pool on this server. */
        public String nodes() {
            return server.host() + ":" + server.port();
        }
    }

    private CassandraTestServer() {
    }

    /** The run's Cassandra. */
    public static Spec spec() {
        return SPEC;
    }

    /** Its CQL address. */
    public static HostPort server() {
        return SPEC.server();
    }

    /**
     * A new session on {@code spec}, not bound to a keyspace; the caller closes it.
     *
     * @throws IllegalStateException when no Cassandra answers there, saying how to start one
     */
    public static CqlSession connect(Spec spec) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, REQUEST_TIMEOUT)
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, REQUEST_TIMEOUT)
                .build();
        var builder = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(spec.server().host(), spec.server().port()))
                .withLocalDatacenter(spec.datacenter())
                .withConfigLoader(config);
        if (!spec.username().isEmpty()) {
            builder.withAuthCredentials(spec.username(), spec.password());
        }
        try {
            return builder.build();
        } catch (DriverException e) {
            throw new IllegalStateException("No Cassandra answers CQL on " + spec.nodes() + " (datacenter "
                    + spec.datacenter() + "): run deploy/local/cassandra.sh start (deploy/local/test.sh does), or set "
                    + VARIABLE + "=[user:password@]host:port[/datacenter] to another one"
                    + Optional.ofNullable(e.getMessage()).map(m -> ". The driver said: " + m).orElse(""), e);
        }
    }
}
