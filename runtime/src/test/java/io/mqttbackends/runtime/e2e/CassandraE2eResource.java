package io.mqttbackends.runtime.e2e;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.testing.CassandraTestKeyspace;
import io.mqttbackends.runtime.testing.CassandraTestServer;
import io.mqttbackends.runtime.testing.EmqxDefaultConf;
import io.mqttbackends.runtime.testing.PrivateMosquitto;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.mqttbackends.runtime.testing.TcpProxy;
import io.mqttbackends.runtime.testing.TestCassandra;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The runtime's Cassandra pools, the EMQX REST API stand-in (EMQX's default {@code on_subscription_lookup} needs
 * broker control {@code emqx}), one keyspace of the test class's own and a conf directory of two files:
 * <ul>
 * <li>{@code emqx_backend_cassa.conf}: EMQX's default {@code emqx_backend_cassa.conf} (test resource
 * {@code conf/emqx_backend_cassa.conf}) with its {@code pool1} keys and hook lines unchanged but for {@code nodes}
 * and {@code keyspace}, which point at the run's Cassandra and the class's keyspace. There is no
 * {@code schema.init}: the tables are made beforehand from EMQX's own DDL (EMQX 4.4's Cassandra DDL, docs/cassandra.md
 * "Tables"), as an EMQX user made them;</li>
 * <li>{@code cassa_cql.conf}: {@code pool2} on the same keyspace, with a {@code cql} hook at every hook point that
 * writes the placeholders it offers into {@code hook_log}, a table of this test's own: one row per event (key
 * {@code (hookpoint, now())}), since a raw publish has no client id to key a row on.</li>
 * </ul>
 *
 * <p>Init args: {@code prefix} (the topic prefix, default {@code cassa-e2e}); {@code proxy=true} puts a
 * {@link TcpProxy} between the pools and Cassandra (the test may cut it: the shared Cassandra is never stopped) and
 * runs the runtime on a {@link PrivateMosquitto} with unbounded queues; {@code call_timeout} sets both pools'
 * {@code call_timeout}; any arg named {@code mqttbackends.*} is passed to the runtime as that property.
 */
public class CassandraE2eResource implements QuarkusTestResourceLifecycleManager {
    /** EMQX 4.4's Cassandra DDL (docs/cassandra.md "Tables"), {@code mqtt.} standing for the keyspace. */
    static final List<String> EMQX_DDL = List.of(
            "CREATE TABLE mqtt.client (clientid text, node text, state int, connected timestamp,"
                    + " disconnected timestamp, PRIMARY KEY (clientid))",
            "CREATE TABLE mqtt.sub (clientid text, topic text, qos int, PRIMARY KEY (clientid, topic))",
            "CREATE TABLE mqtt.msg (topic text, msgid text, sender text, qos int, retain int, payload blob,"
                    + " arrived timestamp, PRIMARY KEY (topic, msgid)) WITH CLUSTERING ORDER BY (msgid DESC)",
            "CREATE TABLE mqtt.retain (topic text, msgid text, PRIMARY KEY (topic))",
            "CREATE TABLE mqtt.acked (clientid text, topic text, msgid text, PRIMARY KEY (clientid, topic))");

    private String prefix;
    private boolean proxied;
    private String callTimeout;
    private final Map<String, String> runtimeProperties = new HashMap<>();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private CassandraE2eRig rig;

    @Override
    public void init(Map<String, String> initArgs) {
        prefix = initArgs.getOrDefault("prefix", "cassa-e2e");
        proxied = Boolean.parseBoolean(initArgs.getOrDefault("proxy", "false"));
        callTimeout = initArgs.get("call_timeout");
        initArgs.forEach((name, value) -> {
            if (name.startsWith("mqttbackends.")) {
                runtimeProperties.put(name, value);
            }
        });
    }

    @Override
    public Map<String, String> start() {
        CassandraTestKeyspace keyspace = opened(CassandraTestKeyspace.create());
        for (String ddl : EMQX_DDL) {
            TestCassandra.execute(ddl.replace(" mqtt.", " " + keyspace.name() + "."));
        }
        TestCassandra.execute("CREATE TABLE " + keyspace.table("hook_log") + " (hookpoint text, id timeuuid,"
                + " clientid text, topic text, msgid text, username text, peerhost text, node text, qos int,"
                + " retain int, payload blob, ts timestamp, PRIMARY KEY (hookpoint, id))");
        RecordingHttpServer emqxApi = opened(new RecordingHttpServer());
        String runtimeClientId = prefix + "-runtime-" + UUID.randomUUID().toString().substring(0, 8);
        String nodes = CassandraTestServer.spec().nodes();
        TcpProxy proxy = null;
        int brokerPort = TestMqtt.PORT;
        if (proxied) {
            proxy = opened(new TcpProxy(CassandraTestServer.server().host(), CassandraTestServer.server().port()));
            proxy.up();
            nodes = "127.0.0.1:" + proxy.port();
            PrivateMosquitto broker = opened(PrivateMosquitto.start(tempDir("mosquitto")));
            brokerPort = broker.port();
        }
        rig = new CassandraE2eRig(prefix, keyspace, brokerPort, proxy, emqxApi, runtimeClientId);
        Map<String, String> properties = new HashMap<>(Map.ofEntries(
                Map.entry("mqttbackends.conf-dir", writeConf(nodes, keyspace.name()).toString()),
                Map.entry("mqttbackends.mqtt.host", TestMqtt.HOST),
                Map.entry("mqttbackends.mqtt.port", String.valueOf(brokerPort)),
                Map.entry("mqttbackends.mqtt.client-id", runtimeClientId),
                Map.entry("mqttbackends.mqtt.session-expiry", "PT2M"),
                Map.entry("mqttbackends.dead-letter.topic", rig.deadLetterTopic()),
                Map.entry("mqttbackends.ingest.emqx-rule.topics", rig.rulePrefix() + "/#"),
                Map.entry("mqttbackends.ingest.emqx-sys.enabled", "false"),
                Map.entry("mqttbackends.ingest.raw.topics", rig.raw() + "/#"),
                Map.entry("mqttbackends.broker-control.type", "emqx"),
                Map.entry("mqttbackends.broker-control.emqx.url", emqxApi.url()),
                Map.entry("mqttbackends.broker-control.emqx.api-key", "k"),
                Map.entry("mqttbackends.broker-control.emqx.api-secret", "s"),
                Map.entry("mqttbackends.retry.initial-backoff", "PT0.05S"),
                Map.entry("mqttbackends.retry.max-backoff", "PT0.5S")));
        properties.putAll(runtimeProperties);
        return properties;
    }

    private Path writeConf(String nodes, String keyspace) {
        try {
            Path dir = tempDir("conf");
            CassandraTestServer.Spec spec = CassandraTestServer.spec();
            List<String> emqxDefault = Files.readAllLines(EmqxDefaultConf.path(DatabaseKind.CASSANDRA));
            // EMQX's pool keys as they are but for where the server and the keyspace are; its cassandra/cassandra
            // login is kept unless the run's server names one (the local test server checks none).
            String pool1 = emqxDefault.stream().filter(l -> l.startsWith("backend.ecql.pool1."))
                    .map(l -> l.startsWith("backend.ecql.pool1.nodes ") ? "backend.ecql.pool1.nodes = " + nodes : l)
                    .map(l -> l.startsWith("backend.ecql.pool1.keyspace ") ? "backend.ecql.pool1.keyspace = " + keyspace
                            : l)
                    .map(l -> !spec.username().isEmpty() && l.startsWith("backend.ecql.pool1.username ")
                            ? "backend.ecql.pool1.username = " + spec.username() : l)
                    .map(l -> !spec.password().isEmpty() && l.startsWith("backend.ecql.pool1.password ")
                            ? "backend.ecql.pool1.password = " + spec.password() : l)
                    .collect(Collectors.joining("\n"));
            if (!pool1.contains(nodes) || !pool1.contains("keyspace = " + keyspace)) {
                throw new IllegalStateException("EMQX's pool1 keys changed shape: " + pool1);
            }
            String hooks = emqxDefault.stream().filter(l -> l.startsWith("backend.cassa.hook."))
                    .collect(Collectors.joining("\n"));
            String extra = "";
            if (!CassandraTestServer.DEFAULT_DATACENTER.equals(spec.datacenter())) {
                extra += "backend.ecql.pool1.local_datacenter = " + spec.datacenter() + "\n";
            }
            if (callTimeout != null) {
                extra += "backend.ecql.pool1.call_timeout = " + callTimeout + "\n";
            }
            Files.writeString(dir.resolve("emqx_backend_cassa.conf"), pool1 + "\n" + extra + hooks + "\n");

            String pool2 = String.join("\n",
                    "backend.ecql.pool2.nodes = " + nodes,
                    "backend.ecql.pool2.size = 2",
                    "backend.ecql.pool2.auto_reconnect = 1",
                    "backend.ecql.pool2.username = " + (spec.username().isEmpty() ? "cassandra" : spec.username()),
                    "backend.ecql.pool2.password = " + (spec.password().isEmpty() ? "cassandra" : spec.password()),
                    "backend.ecql.pool2.keyspace = " + keyspace,
                    "backend.ecql.pool2.local_datacenter = " + spec.datacenter(),
                    callTimeout == null ? "" : "backend.ecql.pool2.call_timeout = " + callTimeout);
            String logged = rig.raw() + "/#";
            Files.writeString(dir.resolve("cassa_cql.conf"), pool2 + "\n" + String.join("\n",
                    logHook("client.connected", null),
                    logHook("client.disconnected", null),
                    logHook("session.subscribed", logged),
                    logHook("session.unsubscribed", logged),
                    logHook("message.publish", logged),
                    logHook("message.delivered", logged),
                    logHook("message.acked", logged)) + "\n");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code cql} hook writing the placeholders its hook point offers into {@code hook_log}. */
    private static String logHook(String hookPoint, String topic) {
        String columns;
        String values;
        switch (hookPoint) {
            case "client.connected", "client.disconnected" -> {
                columns = "clientid, username, peerhost, node, ts";
                values = "${clientid}, ${username}, ${peerhost}, ${node}, ${timestamp}";
            }
            case "session.subscribed", "session.unsubscribed" -> {
                columns = "clientid, topic, username, qos, node";
                values = "${clientid}, ${topic}, ${username}, ${qos}, ${node}";
            }
            case "message.publish" -> {
                columns = "clientid, topic, qos, msgid, payload, retain, ts";
                values = "${clientid}, ${topic}, ${qos}, ${msgid}, ${payload}, ${retain}, ${timestamp}";
            }
            default -> {
                columns = "clientid, topic, qos, msgid";
                values = "${clientid}, ${topic}, ${qos}, ${msgid}";
            }
        }
        String cql = "insert into hook_log (hookpoint, id, " + columns + ") values ('" + hookPoint + "', now(), "
                + values + ")";
        return "backend.cassa.hook." + hookPoint + ".10 = {" + (topic == null ? "" : "\"topic\": \"" + topic + "\", ")
                + "\"action\": {\"cql\": [\"" + cql + "\"]}, \"pool\": \"pool2\"}";
    }

    private Path tempDir(String what) {
        try {
            Path dir = Files.createTempDirectory("mqttbackends-" + prefix + "-" + what);
            opened(() -> FailureRig.deleteTree(dir));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T extends AutoCloseable> T opened(T resource) {
        opened.add(resource);
        return resource;
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(rig, new TestInjector.MatchesType(CassandraE2eRig.class));
    }

    @Override
    public void stop() {
        RuntimeException first = null;
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("closing the Cassandra end-to-end resources failed", e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
