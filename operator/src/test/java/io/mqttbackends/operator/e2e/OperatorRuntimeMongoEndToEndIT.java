package io.mqttbackends.operator.e2e;

import static io.mqttbackends.operator.testing.Resources.credentials;
import static io.mqttbackends.operator.testing.Resources.function;
import static io.mqttbackends.operator.testing.Resources.hook;
import static io.mqttbackends.operator.testing.Resources.pool;
import static io.mqttbackends.operator.testing.Resources.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mqttbackends.operator.api.v1alpha1.BackendHook;
import io.mqttbackends.operator.api.v1alpha1.BackendPool;
import io.mqttbackends.operator.api.v1alpha1.BackendStatus;
import io.mqttbackends.operator.api.v1alpha1.HookPoint;
import io.mqttbackends.operator.api.v1alpha1.MongoOptions;
import io.mqttbackends.operator.api.v1alpha1.MongoTopology;
import io.mqttbackends.operator.api.v1alpha1.PayloadFormat;
import io.mqttbackends.operator.api.v1alpha1.PoolType;
import io.mqttbackends.operator.testing.MountedConf;
import io.mqttbackends.operator.testing.RuntimeEndpoint;
import io.mqttbackends.operator.testing.RuntimePortResource;
import io.mqttbackends.operator.testing.RuntimeProcess;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mongo variant of {@link OperatorRuntimeEndToEndIT}: a mongo BackendPool (with topology settings) and hooks go
 * into the (test) API server, the operator renders them, and the real runtime, started from its built jar, stores
 * real MQTT publishes from Mosquitto in MongoDB; then a hook added to the resources goes live without a restart.
 *
 * <p>The MongoDB is the stand-in mongo-java-server, in this JVM on a loopback port (no mongod is obtainable here), or
 * the real one {@value #URI_VARIABLE} names, whose credentials then go through a Secret as a user's would.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@WithTestResource(RuntimePortResource.class)
class OperatorRuntimeMongoEndToEndIT {

    /** The same variable the runtime's Mongo tests read. */
    static final String URI_VARIABLE = "MQTTBACKENDS_TEST_MONGO_URI";

    private static final String NS = "test";
    private static final String DATABASE = "mqb_operator_mongo_e2e_" + ProcessHandle.current().pid() + "_"
            + UUID.randomUUID().toString().substring(0, 8);
    /** Unique per run: retained messages this test leaves on the shared broker cannot reach another run. */
    private static final String PREFIX = "operator-mongo-e2e-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static MongoServer standIn;
    private static ConnectionString uri;
    private static MongoClient mongo;

    @Inject
    KubernetesClient client;

    private final RuntimeEndpoint endpoint = new RuntimeEndpoint();
    private MountedConf mounted;
    private RuntimeProcess runtime;
    private Mqtt5BlockingClient publisher;

    @BeforeAll
    static void startMongo() {
        String real = System.getenv(URI_VARIABLE);
        if (real != null && !real.isBlank()) {
            uri = new ConnectionString(real);
        } else {
            standIn = new MongoServer(new MemoryBackend());
            uri = new ConnectionString(standIn.bindAndGetConnectionString());
        }
        mongo = MongoClients.create(MongoClientSettings.builder().applyConnectionString(uri)
                .applyToClusterSettings(c -> c.serverSelectionTimeout(10, TimeUnit.SECONDS)).build());
    }

    @AfterAll
    static void stopMongo() {
        mongo.close();
        if (standIn != null) {
            standIn.shutdownNow();
        }
    }

    @BeforeEach
    void directoriesAndPublisher() throws Exception {
        mounted = MountedConf.create("operator-mongo-e2e");
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
        database().drop();
        client.resources(BackendHook.class).inNamespace(NS).delete();
        client.resources(BackendPool.class).inNamespace(NS).delete();
        client.secrets().inNamespace(NS).withName("mongo-e2e").delete();
    }

    @Test
    void aMongoPoolWithTopologyAndItsHooksDriveARealRuntimeAndAnAddedHookGoesLiveWithoutRestart() throws Exception {
        boolean withCredentials = uri.getUsername() != null;
        if (withCredentials) {
            client.secrets().inNamespace(NS).resource(secret("mongo-e2e", Map.of("login", uri.getUsername(),
                    "password", new String(uri.getPassword())))).create();
        }
        client.resource(pool("e2e-mongo", PoolType.MONGO, s -> {
            s.setServers(uri.getHosts());
            s.setDatabase(DATABASE);
            s.setPoolSize(2);
            s.setSchemaInit(true);
            MongoOptions options = new MongoOptions();
            options.setMode(uri.getRequiredReplicaSetName() == null ? MongoOptions.Mode.SINGLE
                    : MongoOptions.Mode.RS);
            options.setRsSetName(uri.getRequiredReplicaSetName());
            options.setWriteMode(MongoOptions.WriteMode.SAFE);
            options.setReadMode(MongoOptions.ReadMode.MASTER);
            if (withCredentials && uri.getCredential().getSource() != null) {
                options.setAuthSource(uri.getCredential().getSource());
            }
            MongoTopology topology = new MongoTopology();
            topology.setConnectTimeoutMs(5000);
            topology.setServerSelectionTimeoutMs(5000);
            options.setTopology(topology);
            s.setMongo(options);
            if (withCredentials) {
                s.setCredentials(credentials("mongo-e2e", "login", "password"));
            }
        })).inNamespace(NS).create();
        client.resource(hook("store-sensors", HookPoint.MESSAGE_PUBLISH, "e2e-mongo", 1, s -> {
            s.setTopic(PREFIX + "/sensors/#");
            s.setAction(function("on_message_publish"));
            s.setPayloadFormat(PayloadFormat.MONGO_JSON);
        })).inNamespace(NS).create();

        await().atMost(TIMEOUT).until(() -> conditionStatus(BackendHook.class, "store-sensors", "Valid")
                .equals("True"));
        String firstHash = mounted.mount(client, NS);
        assertThat(client.configMaps().inNamespace(NS).withName("mqttbackends-conf").get().getData()
                .get("backends.conf")).contains("backend.mongo.e2e-mongo.c_pool_size = 2",
                "backend.mongo.topology.connect_timeout_ms = 5000",
                "backend.mongo.topology.server_selection_timeout_ms = 5000");

        runtime = RuntimeProcess.startReady(mounted, PREFIX, Path.of("target/operator-mongo-e2e-runtime.log"),
                TIMEOUT);
        assertThat(endpoint.config().path("hash").asText()).isEqualTo(firstHash);
        assertThat(endpoint.config().at("/pools/mongo.e2e-mongo/up").asBoolean()).as("%s", endpoint.config())
                .isTrue();
        await().atMost(TIMEOUT).until(() -> conditionStatus(BackendHook.class, "store-sensors", "Applied")
                .equals("True") && conditionStatus(BackendPool.class, "e2e-mongo", "Ready").equals("True"));

        // QoS 0 is not stored by on_message_publish; a JSON object becomes a document (mongo_json), text a string.
        publish(PREFIX + "/sensors/1", "{\"t\":21.5,\"unit\":\"C\"}", MqttQos.AT_LEAST_ONCE, false);
        publish(PREFIX + "/sensors/1", "not json", MqttQos.AT_LEAST_ONCE, false);
        publish(PREFIX + "/sensors/1", "qos0", MqttQos.AT_MOST_ONCE, false);
        publish(PREFIX + "/sensors/1", "last", MqttQos.AT_LEAST_ONCE, false);
        await().atMost(TIMEOUT).until(() -> messages(PREFIX + "/sensors/1").size() == 3);
        List<Document> stored = messages(PREFIX + "/sensors/1");
        assertThat(stored).extracting(d -> d.get("payload")).containsExactly(
                new Document("t", 21.5).append("unit", "C"), "not json", "last");
        assertThat(stored).extracting(d -> d.get("_id")).containsExactly(1L, 2L, 3L);
        assertThat(stored).allSatisfy(d -> {
            assertThat(d.get("qos")).isEqualTo(1);
            assertThat(d.get("retain")).isEqualTo(0);
        });

        // A hook added to the resources: re-rendered, mounted, and live in the same runtime process.
        client.resource(hook("retain-state", HookPoint.MESSAGE_PUBLISH, "e2e-mongo", 2, s -> {
            s.setTopic(PREFIX + "/state/#");
            s.setAction(function("on_message_retain"));
        })).inNamespace(NS).create();
        await().atMost(TIMEOUT).until(() -> conditionStatus(BackendHook.class, "retain-state", "Valid")
                .equals("True"));
        String secondHash = mounted.mount(client, NS);
        assertThat(secondHash).isNotEqualTo(firstHash);
        await().atMost(TIMEOUT).until(() -> endpoint.config().path("hash").asText().equals(secondHash));
        publish(PREFIX + "/state/dev1", "online", MqttQos.AT_LEAST_ONCE, true);
        await().atMost(TIMEOUT).until(() -> database().getCollection("mqtt_retain")
                .find(Filters.eq("topic", PREFIX + "/state/dev1")).first() != null);
        assertThat(database().getCollection("mqtt_retain").find(Filters.eq("topic", PREFIX + "/state/dev1"))
                .first().get("payload")).isEqualTo("online");

        await().atMost(TIMEOUT).until(() -> conditionStatus(BackendHook.class, "retain-state", "Applied")
                .equals("True") && conditionStatus(BackendHook.class, "store-sensors", "Applied").equals("True"));
        assertThat(runtime.isAlive()).isTrue();
        assertThat(runtime.log()).doesNotContain("Quarkus stopped", "ERROR");
    }

    private void publish(String topic, String payload, MqttQos qos, boolean retain) {
        publisher.publishWith().topic(topic).qos(qos).retain(retain).payload(payload.getBytes(StandardCharsets.UTF_8))
                .send();
    }

    private static MongoDatabase database() {
        return mongo.getDatabase(DATABASE);
    }

    private static List<Document> messages(String topic) {
        return database().getCollection("mqtt_msg").find(Filters.eq("topic", topic)).sort(Sorts.ascending("_id"))
                .into(new ArrayList<>());
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
