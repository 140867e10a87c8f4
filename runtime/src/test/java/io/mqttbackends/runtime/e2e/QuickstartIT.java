package io.mqttbackends.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.testing.FreePort;
import io.mqttbackends.runtime.testing.PrivateMosquitto;
import io.mqttbackends.runtime.testing.RedisTestDatabase;
import io.mqttbackends.runtime.testing.RuntimeProcess;
import io.mqttbackends.runtime.testing.SqlTestDatabase;
import io.mqttbackends.runtime.testing.TestDatabase;
import io.mqttbackends.runtime.testing.TestRedis;
import io.mqttbackends.runtime.testing.TestSql;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code deploy/local/quickstart.sh} run as a newcomer runs it, against the packaged runtime started as
 * {@code deploy/local/run.sh} starts it (the shipped conf directory, default settings otherwise), for each local conf
 * directory. The conf is the shipped one with only the pool's {@code server} and {@code database} pointed at a
 * database of the test's own; the broker is a {@link PrivateMosquitto}, so no other runtime sees the events. Proves
 * that the script's events are the ones the runtime decodes (every step waits for its effect), that the device's
 * state, its cursor at the acked message and the five stored messages are in the database afterwards, that the
 * script itself received the offline replay of messages 2 to 5, and that it printed them and the database state with
 * readable payloads. The PostgreSQL run sets the shared ingest token on both sides, as a secured local run would.
 */
class QuickstartIT {
    private static final String DEVICE = "device-it";
    private static final Duration START_WITHIN = Duration.ofSeconds(60);
    private static final Duration SCRIPT_WITHIN = Duration.ofSeconds(120);
    private static final Pattern REPLAYED_SEQ = Pattern.compile("\"seq\":(\\d+).*\\(mqttbackends-msgid \\S+\\)");

    /** A local conf directory, the topic the script uses with it, and whether the run sets the ingest token. */
    enum Case {
        PGSQL("conf", DatabaseKind.PGSQL, "devices/" + DEVICE + "/commands", true),
        MYSQL("conf-mysql", DatabaseKind.MYSQL, "devices/" + DEVICE + "/commands", false),
        REDIS("conf-redis", DatabaseKind.REDIS, "pubsub/devices/" + DEVICE + "/commands", false);

        final String confDir;
        final DatabaseKind kind;
        final String topic;
        final boolean token;

        Case(String confDir, DatabaseKind kind, String topic, boolean token) {
            this.confDir = confDir;
            this.kind = kind;
            this.topic = topic;
            this.token = token;
        }

        TestDatabase open() {
            return kind == DatabaseKind.REDIS ? RedisTestDatabase.start(0) : SqlTestDatabase.create(kind);
        }
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void theQuickstartShowsClientStateTheCursorAndTheOfflineReplay(Case c) throws Exception {
        Path work = Files.createTempDirectory("mqttbackends-quickstart-" + c.name().toLowerCase());
        String token = "quickstart-it-" + FailureRig.random() + FailureRig.random();
        try (TestDatabase database = c.open();
                PrivateMosquitto broker = PrivateMosquitto.start(work.resolve("mosquitto"))) {
            Path conf = ownConf(localDir(c.confDir), work.resolve("conf"), database);
            int httpPort = FreePort.find();
            Map<String, String> properties = new HashMap<>(Map.of(
                    "mqttbackends.conf-dir", conf.toString(),
                    "quarkus.http.host", "127.0.0.1",
                    "quarkus.http.port", String.valueOf(httpPort),
                    "mqttbackends.mqtt.host", "127.0.0.1",
                    "mqttbackends.mqtt.port", String.valueOf(broker.port()),
                    "mqttbackends.mqtt.client-id", "quickstart-it-" + FailureRig.random()));
            Map<String, String> scriptEnv = new HashMap<>(Map.of(
                    "MQTTBACKENDS_CONF_DIR", conf.toString(),
                    "MQTTBACKENDS_HTTP_PORT", String.valueOf(httpPort),
                    "MQTTBACKENDS_MQTT_HOST", "127.0.0.1",
                    "MQTTBACKENDS_MQTT_PORT", String.valueOf(broker.port()),
                    "QUICKSTART_CLIENTID", DEVICE));
            if (c.token) {
                properties.put("mqttbackends.ingest.token", token);
                scriptEnv.put("MQTTBACKENDS_INGEST_TOKEN", token);
            }
            try (RuntimeProcess runtime = RuntimeProcess.startAsShipped(properties, work.resolve("runtime.log"))) {
                await("readiness of the runtime").atMost(START_WITHIN).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> {
                            assertThat(runtime.isAlive()).as("runtime alive; its log ends with:%n%s",
                                    runtime.logTail(20)).isTrue();
                            assertThat(runtime.httpStatus("/q/health/ready")).as("readiness").isEqualTo(200);
                        });

                ScriptRun run = runQuickstart(scriptEnv, work.resolve("quickstart.out"));
                String context = String.format("quickstart output:%n%s%nruntime log ends with:%n%s", run.output,
                        runtime.logTail(20));
                assertThat(run.exitCode).as("exit status; %s", context).isEqualTo(0);
                assertThat(run.output).as(context)
                        .contains("-> client " + DEVICE + " online (state 1)")
                        .contains("-> client " + DEVICE + " offline (state 0)")
                        .contains("-> the runtime replayed the 4 messages stored after the cursor");
                assertThat(replayedSeqs(run.output)).as("messages mosquitto_sub received; %s", context)
                        .containsExactly(2, 3, 4, 5);
                String state = run.output.substring(run.output.indexOf("Database state"));
                assertThat(state).as("database state printed with readable payloads; %s", context)
                        .contains("{\"seq\":1,\"cmd\":\"set-temp\",\"value\":20}")
                        .contains("{\"seq\":5,\"cmd\":\"set-temp\",\"value\":24}");
                if (c.kind == DatabaseKind.REDIS) {
                    assertRedis((RedisTestDatabase) database, c.topic, state);
                } else {
                    assertSql((SqlTestDatabase) database, c.topic, state);
                }
                if (c.token) {
                    assertThat(runtime.httpBody("/q/metrics")).as("events refused for their token")
                            .doesNotContain("reason=\"missing-token\"").doesNotContain("reason=\"wrong-token\"");
                }
            }
        } finally {
            FailureRig.deleteTree(work);
        }
    }

    private static void assertSql(SqlTestDatabase database, String topic, String state) {
        try (TestSql sql = database.connect()) {
            // state is an integer on PostgreSQL and a varchar on MySQL: compared in SQL, so both read alike.
            assertThat(sql.count("select count(*) from mqtt_client where clientid = $1 and state = 1", DEVICE))
                    .as("mqtt_client rows of the device with state 1 after the reconnect").isEqualTo(1);
            assertThat(sql.count("select count(*) from mqtt_msg where topic = $1", topic)).as("stored messages")
                    .isEqualTo(5);
            assertThat(sql.rows("select m.payload from mqtt_acked a join mqtt_msg m on m.id = a.mid"
                    + " where a.clientid = $1 and a.topic = $2", DEVICE, topic))
                    .as("the message mqtt_acked's cursor points at").singleElement()
                    .extracting(row -> new String(row.getBuffer(0).getBytes(), StandardCharsets.UTF_8))
                    .asString().contains("\"seq\":1,");
        }
        assertThat(state).as("printed state").contains("mqtt_client").contains("mqtt_acked").contains("backend-app");
    }

    private static void assertRedis(RedisTestDatabase database, String topic, String state) {
        try (TestRedis redis = database.connect()) {
            assertThat(redis.hash("mqtt:client:" + DEVICE)).as("mqtt:client hash after the reconnect")
                    .containsEntry("state", "1");
            List<String> stored = redis.zrange("mqtt:msg:" + topic);
            assertThat(stored).as("the topic's sorted set of msgids").hasSize(5);
            Optional<String> cursor = redis.string("mqtt:acked:" + DEVICE + ":" + topic);
            assertThat(cursor).as("the pubsub cursor").contains(stored.get(0));
            assertThat(redis.hash("mqtt:msg:" + stored.get(0)).get("payload")).as("the acked message")
                    .contains("\"seq\":1,");
        }
        assertThat(state).as("printed state").contains("HGETALL mqtt:client:" + DEVICE).contains("state 1")
                .contains("GET mqtt:acked:" + DEVICE + ":" + topic);
    }

    private static List<Integer> replayedSeqs(String output) {
        return output.lines().map(REPLAYED_SEQ::matcher).filter(Matcher::find)
                .map(m -> Integer.parseInt(m.group(1))).toList();
    }

    /**
     * The shipped conf files of {@code shipped} with the pool's {@code server} and {@code database} lines pointing
     * at {@code database}; every other line as shipped.
     */
    private static Path ownConf(Path shipped, Path target, TestDatabase database) throws IOException {
        Files.createDirectories(target);
        String server = database.server().host() + ":" + database.server().port();
        try (Stream<Path> files = Files.list(shipped)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".conf")).toList()) {
                String text = Files.readString(file)
                        .replaceAll("(?m)^(backend\\.\\w+\\.pool1\\.server\\s*=).*$", "$1 " + server)
                        .replaceAll("(?m)^(backend\\.\\w+\\.pool1\\.database\\s*=).*$", "$1 " + database.name());
                assertThat(text).as("%s points at the test's database", file).contains(server)
                        .contains("database = " + database.name());
                Files.writeString(target.resolve(file.getFileName()), text);
            }
        }
        return target;
    }

    /** {@code deploy/local/<name>} from the module or the repository root. */
    private static Path localDir(String name) {
        for (Path candidate : List.of(Path.of("../deploy/local", name), Path.of("deploy/local", name))) {
            if (Files.exists(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("deploy/local/" + name + " not found from " + Path.of("").toAbsolutePath());
    }

    private record ScriptRun(int exitCode, String output) {
    }

    private static ScriptRun runQuickstart(Map<String, String> env, Path output) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", localDir("quickstart.sh").toString())
                .redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // Only the test's settings: none a developer's shell exported for the local run.
        builder.environment().keySet()
                .removeIf(key -> key.startsWith("MQTTBACKENDS_") || key.startsWith("QUICKSTART_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(SCRIPT_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            return new ScriptRun(-1, Files.readString(output) + "\n(killed after " + SCRIPT_WITHIN + ")");
        }
        return new ScriptRun(process.exitValue(), Files.readString(output));
    }
}
