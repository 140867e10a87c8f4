package io.mqttbackends.bench.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark's scratch keyspace on the run's Cassandra, for {@code src/bench/run.sh --db cassandra}, which has no
 * cqlsh to do this with:
 * <ul>
 * <li>{@code conf KEYSPACE}: prints the runtime's conf for an ecql pool {@code pool1} on that keyspace (node,
 * datacenter and credentials from {@value #ENDPOINT_VARIABLE}; {@code schema.init = true}, which creates the
 * keyspace and EMQX's tables) with EMQX's {@code on_message_publish} hook line on {@code #};</li>
 * <li>{@code create KEYSPACE}: creates the keyspace as the runtime's schema.init would (NetworkTopologyStrategy,
 * min(3, nodes of the datacenter) replicas there), before the runtime starts: the runtime's schema.init did not
 * create a missing keyspace in this build (it retried with a failure without a message), so it only creates the
 * tables;</li>
 * <li>{@code drop KEYSPACE}: drops the keyspace (at the end of a run, unless --keep).</li>
 * </ul>
 */
public final class CassandraScratch {
    /** The run's Cassandra: {@code [user:password@]host:port[/datacenter]}; unset: 127.0.0.1:9042/datacenter1. */
    static final String ENDPOINT_VARIABLE = "MQTTBACKENDS_BENCH_CASSANDRA";
    /** Connections per node of the benchmark's pool (its {@code size}), and of the ceiling's session. */
    static final int POOL_SIZE = 8;
    private static final Pattern ENDPOINT =
            Pattern.compile("(?:([^:@/]+):(.*)@)?(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9][A-Za-z0-9._-]*):(\\d{1,5})(?:/(\\S+))?");

    private CassandraScratch() {
    }

    /** Where the run's Cassandra is. */
    record Endpoint(String user, String password, String host, int port, String datacenter) {

        /** {@value #ENDPOINT_VARIABLE} when set, else the harness's Cassandra on 127.0.0.1:9042. */
        static Endpoint fromEnvironment() {
            String spec = System.getenv(ENDPOINT_VARIABLE);
            return spec == null || spec.isBlank() ? new Endpoint(null, null, "127.0.0.1", 9042, "datacenter1")
                    : parse(spec);
        }

        static Endpoint parse(String spec) {
            Matcher m = ENDPOINT.matcher(spec.trim());
            if (!m.matches()) {
                // the value may hold a password: the message shows its shape only
                throw new IllegalArgumentException(ENDPOINT_VARIABLE + " is not [user:password@]host:port[/datacenter]"
                        + (spec.contains("@") ? "" : ": '" + spec + "'"));
            }
            int port = Integer.parseInt(m.group(4));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(ENDPOINT_VARIABLE + ": port " + port + " is not 1..65535");
            }
            String host = m.group(3).startsWith("[") ? m.group(3).substring(1, m.group(3).length() - 1) : m.group(3);
            return new Endpoint(m.group(1), m.group(2), host, port, m.group(5) == null ? "datacenter1" : m.group(5));
        }

        String node() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }

        CqlSessionBuilder builder() {
            CqlSessionBuilder builder = CqlSession.builder()
                    .addContactPoint(InetSocketAddress.createUnresolved(host, port)).withLocalDatacenter(datacenter);
            if (user != null) {
                builder.withAuthCredentials(user, password);
            }
            return builder;
        }
    }

    public static void main(String[] args) {
        if (args.length != 2 || !List.of("conf", "create", "drop").contains(args[0])) {
            System.err.println("usage: CassandraScratch conf|create|drop KEYSPACE   (the server: " + ENDPOINT_VARIABLE
                    + "=[user:password@]host:port[/datacenter], default 127.0.0.1:9042/datacenter1)");
            System.exit(2);
        }
        Endpoint endpoint;
        try {
            endpoint = Endpoint.fromEnvironment();
        } catch (IllegalArgumentException e) {
            System.err.println("CassandraScratch: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (args[0].equals("conf")) {
            poolConf(endpoint, args[1], System.out);
        } else {
            try (CqlSession session = endpoint.builder().build()) {
                String cql = args[0].equals("drop") ? "DROP KEYSPACE IF EXISTS " + args[1]
                        : createKeyspace(args[1], endpoint.datacenter(), (int) session.getMetadata().getNodes().values()
                                .stream().filter(n -> endpoint.datacenter().equals(n.getDatacenter())).count());
                session.execute(SimpleStatement.newInstance(cql).setTimeout(Duration.ofSeconds(60)));
            }
        }
    }

    /** The runtime's own keyspace DDL (CassandraSchema.keyspace). */
    static String createKeyspace(String keyspace, String datacenter, int nodes) {
        return "CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = {'class':"
                + " 'NetworkTopologyStrategy', '" + datacenter.replace("'", "''") + "': " + Math.max(1, Math.min(3, nodes))
                + "}";
    }

    /** The runtime's conf lines (EMQX's key names, the Cassandra contract) for pool {@code pool1}. */
    static void poolConf(Endpoint e, String keyspace, PrintStream out) {
        String prefix = "backend.ecql.pool1.";
        out.println(prefix + "nodes = " + e.node());
        out.println(prefix + "size = " + POOL_SIZE);
        out.println(prefix + "keyspace = " + keyspace);
        out.println(prefix + "local_datacenter = " + e.datacenter());
        out.println(prefix + "consistency = LOCAL_QUORUM");
        if (e.user() != null) {
            out.println(prefix + "username = " + e.user());
            out.println(prefix + "password = " + e.password());
        }
        out.println(prefix + "schema.init = true");
        out.println("backend.cassa.hook.message.publish.1 = "
                + "{\"topic\": \"#\", \"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}");
    }
}
