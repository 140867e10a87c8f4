package io.mqttbackends.operator.e2e;

import static io.mqttbackends.operator.testing.Resources.credentials;
import static io.mqttbackends.operator.testing.Resources.function;
import static io.mqttbackends.operator.testing.Resources.hook;
import static io.mqttbackends.operator.testing.Resources.pool;
import static io.mqttbackends.operator.testing.Resources.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.ServerError;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mqttbackends.operator.api.v1alpha1.BackendHook;
import io.mqttbackends.operator.api.v1alpha1.BackendPool;
import io.mqttbackends.operator.api.v1alpha1.BackendStatus;
import io.mqttbackends.operator.api.v1alpha1.CassandraOptions;
import io.mqttbackends.operator.api.v1alpha1.HookAction;
import io.mqttbackends.operator.api.v1alpha1.HookPoint;
import io.mqttbackends.operator.api.v1alpha1.PoolType;
import io.mqttbackends.operator.testing.MountedConf;
import io.mqttbackends.operator.testing.RuntimeEndpoint;
import io.mqttbackends.operator.testing.RuntimePortResource;
import io.mqttbackends.operator.testing.RuntimeProcess;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cassandra variant of {@link OperatorRuntimeEndToEndIT}: a cassandra BackendPool (keyspace, data centre,
 * consistency) and hooks go into the (test) API server, the operator renders them, and the real runtime, started from
 * its built jar, creates EMQX's tables in the pool's keyspace by schema.init and stores real MQTT publishes from
 * Mosquitto; then a cql hook added to the resources goes live without a restart.
 *
 * <p>The Cassandra is the real one the runtime's tests use ({@code deploy/local/cassandra.sh start}, 127.0.0.1:9042,
 * datacenter1) or the one {@value #VARIABLE} names as {@code [user:password@]host:port[/datacenter]}, whose
 * credentials then go through a Secret as a user's would. The keyspace is this run's own, dropped after the test.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@WithTestResource(RuntimePortResource.class)
class OperatorRuntimeCassandraEndToEndIT {

    /** The same variable, and grammar, the runtime's Cassandra tests read. */
    static final String VARIABLE = "MQTTBACKENDS_TEST_CASSANDRA";
    private static final Pattern SPEC = Pattern.compile(
            "(?:(?<user>[^:@]*)(?::(?<password>.*))?@)?(?<host>[^@/]+?)(?::(?<port>\\d+))?(?:/(?<dc>.+))?");

    private static final String NS = "test";
    /** Unquoted CQL: lower case, at most 48 characters. */
    private static final String KEYSPACE = "mqb_operator_e2e_" + UUID.randomUUID().toString().replace("-", "")
            .substring(0, 12);
    /** Unique per run: retained messages this test leaves on the shared broker cannot reach another run. */
    private static final String PREFIX = "operator-cassandra-e2e-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** The runtime mints EMQX 5's ids for raw publishes: 32 upper-case hex digits, time first. */
    private static final Pattern HEX_ID = Pattern.compile("[0-9A-F]{32}");

    private static String host;
    private static int port;
    private static String datacenter;
    private static String username;
    private static String password;
    private static CqlSession cassandra;

    @Inject
    KubernetesClient client;

    private final RuntimeEndpoint endpoint = new RuntimeEndpoint();
    private MountedConf mounted;
    private RuntimeProcess runtime;
    private Mqtt5BlockingClient publisher;

    @BeforeAll
    static void connectToCassandra() {
        String value = System.getenv(VARIABLE);
        Matcher m = SPEC.matcher(value == null || value.isBlank() ? "127.0.0.1:9042" : value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(VARIABLE + "=" + value + ": expected [user:password@]host:port"
                    + "[/datacenter]");
        }
        host = m.group("host");
        port = m.group("port") == null ? 9042 : Integer.parseInt(m.group("port"));
        datacenter = m.group("dc") == null ? "datacenter1" : m.group("dc");
        username = m.group("user") == null ? "" : m.group("user");
        password = m.group("password") == null ? "" : m.group("password");
        // Schema changes take seconds on a shared 2-core machine: the driver's 2 s default would fail the drop.
        var builder = CqlSession.builder().addContactPoint(new InetSocketAddress(host, port))
                .withLocalDatacenter(datacenter)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .build());
        if (!username.isEmpty()) {
            builder.withAuthCredentials(username, password);
        }
        try {
            cassandra = builder.build();
        } catch (RuntimeException e) {
            throw new IllegalStateException("No Cassandra answers CQL on " + host + ":" + port + ": run "
                    + "deploy/local/cassandra.sh start, or set " + VARIABLE + " to another one", e);
        }
    }

    @AfterAll
    static void disconnect() {
        if (cassandra != null) {
            cassandra.close();
        }
    }

    @BeforeEach
    void directoriesAndPublisher() throws Exception {
        mounted = MountedConf.create("operator-cassandra-e2e");
        publisher = Mqtt5Client.builder().identifier(PREFIX + "-pub").serverHost("127.0.0.1").serverPort(1883)
                .buildBlocking();
        publisher.connect();
    }

    @AfterEach
    void stopEverything() throws Exception {
        // An empty retained publish removes what the test left on the broker.
        publisher.publishWith().topic(PREFIX + "/state/dev1").qos(MqttQos.AT_LEAST_ONCE).retain(true).send();
        publisher.disconnect();
        if (runtime != null) {
            runtime.close();
        }
        cassandra.execute("DROP KEYSPACE IF EXISTS " + KEYSPACE);
        client.resources(BackendHook.class).inNamespace(NS).delete();
        client.resources(BackendPool.class).inNamespace(NS).delete();
        client.secrets().inNamespace(NS).withName("cassandra-e2e").delete();
    }

    @Test
    void aCassandraPoolAndItsHooksDriveARealRuntimeAndAnAddedCqlHookGoesLiveWithoutRestart() throws Exception {
        // No keyspace yet: schema.init creates it and EMQX's tables while the test polls readiness.
        boolean withCredentials = !username.isEmpty();
        if (withCredentials) {
            client.secrets().inNamespace(NS).resource(secret("cassandra-e2e", Map.of("username", username,
                    "password", password))).create();
        }
        client.resource(pool("e2e-cassandra", PoolType.CASSANDRA, s -> {
            s.setServers(List.of(host + ":" + port));
            s.setDatabase(KEYSPACE);
            s.setPoolSize(1);
            s.setSchemaInit(true);
            CassandraOptions options = new CassandraOptions();
            options.setLocalDatacenter(datacenter);
            options.setConsistency(CassandraOptions.Consistency.LOCAL_ONE);
            options.setAutoReconnect(1);
            options.setLogger("warning");
            s.setCassandra(options);
            if (withCredentials) {
                s.setCredentials(credentials("cassandra-e2e", "username", "password"));
            }
        })).inNamespace(NS).create();
        client.resource(hook("store-sensors", HookPoint.MESSAGE_PUBLISH, "e2e-cassandra", 1, s -> {
            s.setTopic(PREFIX + "/sensors/#");
            s.setAction(function("on_message_publish"));
        })).inNamespace(NS).create();

        await().atMost(TIMEOUT).until(() -> conditionStatus(BackendHook.class, "store-sensors", "Valid")
                .equals("True"));
        String firstHash = mounted.mount(client, NS);
        assertThat(client.configMaps().inNamespace(NS).withName("mqttbackends-conf").get().getData()
                .get("backends.conf")).contains(
                "backend.ecql.e2e-cassandra.nodes = " + host + ":" + port,
                "backend.ecql.e2e-cassandra.keyspace = \"" + KEYSPACE + "\"",
                "backend.ecql.e2e-cassandra.local_datacenter = \"" + datacenter + "\"",
                "backend.ecql.e2e-cassandra.consistency = LOCAL_ONE",
                "backend.cassa.hook.message.publish.1 = {\"topic\":\"" + PREFIX + "/sensors/#\",\"action\":"
                        + "{\"function\":\"on_message_publish\"},\"pool\":\"e2e-cassandra\"}");

        runtime = RuntimeProcess.startReady(mounted, PREFIX, Path.of("target/operator-cassandra-e2e-runtime.log"),
                TIMEOUT);
        assertThat(endpoint.config().path("hash").asText()).isEqualTo(firstHash);
        await().atMost(TIMEOUT).until(() -> conditionStatus(BackendHook.class, "store-sensors", "Applied")
                .equals("True") && conditionStatus(BackendPool.class, "e2e-cassandra", "Ready").equals("True"));

        // QoS 0 is not stored by on_message_publish; payloads are blobs, byte for byte.
        publish(PREFIX + "/sensors/1", "{\"t\":21.5}", MqttQos.AT_LEAST_ONCE, false);
        publish(PREFIX + "/sensors/1", "qos0", MqttQos.AT_MOST_ONCE, false);
        publish(PREFIX + "/sensors/1", "last", MqttQos.AT_LEAST_ONCE, false);
        // schema.init may still be creating the table when the first message arrives: unknown to the node
        // (InvalidQueryException), or known by id before its store opens ("Unknown CF <id>", a ServerError; seen
        // twice in CI on a freshly started Cassandra).
        await().atMost(TIMEOUT)
                .ignoreExceptionsMatching(e -> e instanceof InvalidQueryException || e instanceof ServerError)
                .until(() -> messages(PREFIX + "/sensors/1").size() == 2);
        // Clustered newest first: the msgids are time-ordered 32-hex ids.
        List<Row> stored = messages(PREFIX + "/sensors/1");
        assertThat(stored).extracting(r -> StandardCharsets.UTF_8.decode(r.getByteBuffer("payload")).toString())
                .containsExactly("last", "{\"t\":21.5}");
        assertThat(stored).allSatisfy(r -> {
            assertThat(r.getInt("qos")).isEqualTo(1);
            assertThat(r.getString("msgid")).matches(HEX_ID);
            assertThat(r.getInt("retain")).isZero();
            assertThat(r.getInstant("arrived")).isNotNull();
        });
        assertThat(stored.get(0).getString("msgid")).isGreaterThan(stored.get(1).getString("msgid"));
        assertThat(endpoint.config().at("/pools/cassa.e2e-cassandra/up").asBoolean()).as("%s", endpoint.config())
                .isTrue();

        // A cql hook added to the resources: re-rendered, mounted, and live in the same runtime process, its
        // placeholders bound as values.
        HookAction cql = new HookAction();
        cql.setCql(List.of("insert into retain (topic, msgid) values (${topic}, ${msgid})"));
        client.resource(hook("point-state", HookPoint.MESSAGE_PUBLISH, "e2e-cassandra", 2, s -> {
            s.setTopic(PREFIX + "/state/#");
            s.setAction(cql);
        })).inNamespace(NS).create();
        await().atMost(TIMEOUT).until(() -> conditionStatus(BackendHook.class, "point-state", "Valid")
                .equals("True"));
        String secondHash = mounted.mount(client, NS);
        assertThat(secondHash).isNotEqualTo(firstHash);
        await().atMost(TIMEOUT).until(() -> endpoint.config().path("hash").asText().equals(secondHash));
        publish(PREFIX + "/state/dev1", "online", MqttQos.AT_LEAST_ONCE, true);
        await().atMost(TIMEOUT).until(() -> cassandra.execute("SELECT msgid FROM " + KEYSPACE
                + ".retain WHERE topic = ?", PREFIX + "/state/dev1").one() != null);
        assertThat(cassandra.execute("SELECT msgid FROM " + KEYSPACE + ".retain WHERE topic = ?",
                PREFIX + "/state/dev1").one().getString("msgid")).matches(HEX_ID);
        // The sensors hook does not match the state topic: nothing of it in msg.
        assertThat(messages(PREFIX + "/state/dev1")).isEmpty();

        await().atMost(TIMEOUT).until(() -> conditionStatus(BackendHook.class, "point-state", "Applied")
                .equals("True") && conditionStatus(BackendHook.class, "store-sensors", "Applied").equals("True"));
        assertThat(runtime.isAlive()).isTrue();
        assertThat(runtime.log()).doesNotContain("Quarkus stopped", "ERROR");
    }

    private void publish(String topic, String payload, MqttQos qos, boolean retain) {
        publisher.publishWith().topic(topic).qos(qos).retain(retain).payload(payload.getBytes(StandardCharsets.UTF_8))
                .send();
    }

    /** The stored messages of a topic, as Cassandra returns them (newest first). */
    private static List<Row> messages(String topic) {
        return cassandra.execute("SELECT msgid, qos, retain, payload, arrived FROM " + KEYSPACE
                + ".msg WHERE topic = ?", topic).all();
    }

    private <R extends CustomResource<?, BackendStatus>> String conditionStatus(Class<R> type, String name,
            String condition) {
        R resource = client.resources(type).inNamespace(NS).withName(name).get();
        if (resource == null || resource.getStatus() == null) {
            return "";
        }
        return resource.getStatus().getConditions().stream().filter(c -> c.getType().equals(condition))
                .map(Condition::getStatus).findFirst().orElse("");
    }
}
