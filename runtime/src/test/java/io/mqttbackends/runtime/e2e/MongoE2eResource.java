package io.mqttbackends.runtime.e2e;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.testing.EmqxDefaultConf;
import io.mqttbackends.runtime.testing.MongoStandIn;
import io.mqttbackends.runtime.testing.MongoTestDatabase;
import io.mqttbackends.runtime.testing.PrivateMosquitto;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestRun;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.bson.Document;

/**
 * The runtime's MongoDB pools, the EMQX REST API stand-in (EMQX's default {@code on_subscribe_lookup} needs broker
 * control {@code emqx}), and a conf directory of two files:
 * <ul>
 * <li>{@code emqx_backend_mongo.conf}: the hook lines of EMQX's default {@code emqx_backend_mongo.conf} unchanged
 * (test resource {@code conf/emqx_backend_mongo.conf}: every function on topic {@code #}, the default
 * {@code offline_opts} 500 / 2h, no {@code payload_format}, so {@code plain_text}) on {@code pool1}, with
 * {@code schema.init = true};</li>
 * <li>{@code mongo_json.conf}: EMQX's commented {@code on_message_store} line with {@code payload_format: mongo_json},
 * moved to topics {@code <raw>/json/#} and {@code pool2} (a second database), plus {@code on_message_retain}
 * ({@code mongo_json}) and {@code on_message_fetch} on the same topics and pool.</li>
 * </ul>
 * On the run's MongoDB, {@code pool1}'s database holds documents EMQX 4.x wrote before the runtime starts (see
 * {@link #writeEmqxData}).
 *
 * <p>Init args: {@code prefix} (the topic prefix, default {@code mongo-e2e}); {@code stand-in=private} runs both
 * pools on a {@link MongoStandIn} of the class's own (which the test may stop and restart) and the runtime on a
 * {@link PrivateMosquitto} with unbounded queues, instead of the run's MongoDB and the shared Mosquitto;
 * {@code start-down=true} (with a private stand-in) has it stopped when the runtime starts;
 * {@code topology.<key>} sets {@code backend.mongo.topology.<key>}; any arg named {@code mqttbackends.*} is passed to
 * the runtime as that property.
 */
public class MongoE2eResource implements QuarkusTestResourceLifecycleManager {
    private String prefix;
    private boolean privateStandIn;
    private boolean startDown;
    private final Map<String, String> topology = new TreeMap<>();
    private final Map<String, String> runtimeProperties = new HashMap<>();

    private final List<AutoCloseable> opened = new ArrayList<>();
    private MongoE2eRig rig;

    @Override
    public void init(Map<String, String> initArgs) {
        prefix = initArgs.getOrDefault("prefix", "mongo-e2e");
        privateStandIn = "private".equals(initArgs.get("stand-in"));
        startDown = Boolean.parseBoolean(initArgs.getOrDefault("start-down", "false"));
        if (startDown && !privateStandIn) {
            throw new IllegalArgumentException("start-down needs stand-in=private: the run's MongoDB stays up");
        }
        initArgs.forEach((name, value) -> {
            if (name.startsWith("mqttbackends.")) {
                runtimeProperties.put(name, value);
            } else if (name.startsWith("topology.")) {
                topology.put(name.substring("topology.".length()), value);
            }
        });
    }

    @Override
    public Map<String, String> start() {
        RecordingHttpServer emqxApi = opened(new RecordingHttpServer());
        String runtimeClientId = prefix + "-runtime-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> properties = new HashMap<>();
        String mainConf;
        String jsonConf;
        if (privateStandIn) {
            MongoStandIn standIn = opened(MongoStandIn.start());
            if (startDown) {
                standIn.down();
            }
            PrivateMosquitto broker = opened(PrivateMosquitto.start(tempDir("mosquitto")));
            MongoClient client = MongoClients.create(standIn.uri());
            String mainName = TestRun.uniqueName();
            String jsonName = TestRun.uniqueName();
            mainConf = privatePool("pool1", standIn.server(), mainName);
            jsonConf = privatePool("pool2", standIn.server(), jsonName);
            rig = new MongoE2eRig(prefix, client.getDatabase(mainName), client.getDatabase(jsonName), broker.port(),
                    standIn, emqxApi, runtimeClientId, client);
            properties.put("mqttbackends.mqtt.host", TestMqtt.HOST);
            properties.put("mqttbackends.mqtt.port", String.valueOf(broker.port()));
        } else {
            MongoTestDatabase main = opened(MongoTestDatabase.create());
            MongoTestDatabase json = opened(MongoTestDatabase.create());
            mainConf = sharedPool("pool1", main);
            jsonConf = sharedPool("pool2", json);
            rig = new MongoE2eRig(prefix, main.connect(), json.connect(), TestMqtt.PORT, null, emqxApi,
                    runtimeClientId, null);
            writeEmqxData(rig);
        }
        properties.putAll(Map.ofEntries(
                Map.entry("mqttbackends.conf-dir", writeConf(mainConf, jsonConf).toString()),
                Map.entry("mqttbackends.mqtt.client-id", runtimeClientId),
                Map.entry("mqttbackends.mqtt.session-expiry", "PT2M"),
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

    private Path writeConf(String mainPool, String jsonPool) {
        try {
            Path dir = tempDir("conf");
            String emqxDefault = Files.readString(EmqxDefaultConf.path(DatabaseKind.MONGO));
            String hooks = emqxDefault.lines().filter(l -> l.startsWith("backend.mongo.hook."))
                    .collect(Collectors.joining("\n"));
            // EMQX's commented "store QoS 0 too" line, which carries payload_format mongo_json: on the json topics
            // and pool2 only, so that the default lines keep their plain_text copy of every message in pool1.
            String storeLine = emqxDefault.lines().filter(l -> l.startsWith("## backend.mongo.hook.message.publish.4"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("EMQX's on_message_store line is gone"))
                    .substring(3);
            String jsonTopic = "\"topic\": \"" + rig.jsonTopics() + "/#\"";
            String jsonHooks = String.join("\n",
                    storeLine.replace("\"topic\": \"#\"", jsonTopic).replace("\"pool1\"", "\"pool2\""),
                    "backend.mongo.hook.message.publish.5 = {" + jsonTopic + ", \"action\": {\"function\":"
                            + " \"on_message_retain\"}, \"pool\": \"pool2\", \"payload_format\": \"mongo_json\"}",
                    "backend.mongo.hook.session.subscribed.3 = {" + jsonTopic + ", \"action\": {\"function\":"
                            + " \"on_message_fetch\"}, \"pool\": \"pool2\"}");
            if (!jsonHooks.contains(rig.jsonTopics() + "/#") || !jsonHooks.contains("mongo_json")) {
                throw new IllegalStateException("EMQX's on_message_store line changed shape: " + storeLine);
            }
            String topologyLines = topology.entrySet().stream()
                    .map(e -> "backend.mongo.topology." + e.getKey() + " = " + e.getValue() + "\n")
                    .collect(Collectors.joining());
            Files.writeString(dir.resolve("emqx_backend_mongo.conf"), mainPool + topologyLines + hooks + "\n");
            Files.writeString(dir.resolve("mongo_json.conf"), jsonPool + jsonHooks + "\n");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Documents as EMQX 4.x's mongo plug-in left them before the runtime starts (so before the backend seeds its
     * counter): three messages with integer {@code _id}s 1, 2, 3 on {@link MongoE2eRig#emqxTopic()}, and the cursor
     * of {@link MongoE2eRig#EMQX_CLIENT} on it at 2. Erlang's driver writes small integers as BSON int32, and EMQX
     * 4.x's msgids are 47-character base62 strings (EMQX 4.x's msgid format, docs/cassandra.md).
     */
    private static void writeEmqxData(MongoE2eRig rig) {
        long now = System.currentTimeMillis() / 1000;
        List<Document> messages = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String guid = "1783" + String.format("%031d", 4_000_000L * i + 17);
            messages.add(new Document("_id", i).append("topic", rig.emqxTopic())
                    .append("msgid", Base64.getEncoder().withoutPadding().encodeToString(guid.getBytes()))
                    .append("sender", "emqx-device").append("qos", 1).append("retain", 0).append("payload", "e" + i)
                    .append("arrived", (int) (now - 60 + i)));
        }
        rig.main().getCollection("mqtt_msg").insertMany(messages);
        rig.main().getCollection("mqtt_acked").insertOne(new Document("clientid", MongoE2eRig.EMQX_CLIENT)
                .append("topic", rig.emqxTopic()).append("mongo_id", 2));
    }

    /** The pool keys a user writes for the run's MongoDB (credentials and TLS when it is a real server). */
    private static String sharedPool(String pool, MongoTestDatabase database) {
        Map<String, String> settings = new TreeMap<>(database.poolSettings());
        settings.values().removeIf(String::isEmpty);
        settings.put("schema.init", "true");
        return lines(pool, settings);
    }

    private static String privatePool(String pool, String server, String database) {
        Map<String, String> settings = new TreeMap<>(Map.of("type", "single", "server", server, "c_pool_size", "4",
                "database", database, "schema.init", "true"));
        return lines(pool, settings);
    }

    private static String lines(String pool, Map<String, String> settings) {
        return settings.entrySet().stream().map(e -> "backend.mongo." + pool + "." + e.getKey() + " = " + e.getValue()
                + "\n").collect(Collectors.joining());
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
        testInjector.injectIntoFields(rig, new TestInjector.MatchesType(MongoE2eRig.class));
    }

    @Override
    public void stop() {
        if (rig != null) {
            rig.closeClient();
        }
        RuntimeException first = null;
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("closing the MongoDB end-to-end resources failed", e);
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
