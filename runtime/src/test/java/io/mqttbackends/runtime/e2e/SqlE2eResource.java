package io.mqttbackends.runtime.e2e;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.testing.EmqxDefaultConf;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.mqttbackends.runtime.testing.TcpProxy;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A real SQL database behind a {@link TcpProxy} (so a test can take the database away from the runtime), a recording
 * stand-in for the EMQX REST API, and a conf directory holding the hook lines of EMQX's default
 * {@code emqx_backend_<db>.conf} unchanged (test resources {@code conf/emqx_backend_pgsql.conf},
 * {@code conf/emqx_backend_mysql.conf}) plus a second pool whose {@code sql} hooks log every hook point into
 * {@code hook_log}.
 *
 * <p>Init args: {@code database} ({@code pgsql}, the default, or {@code mysql}: a new database of that kind, dropped
 * when the test class is done, see {@link E2eDatabase});
 * {@code start-down=true} starts with the database unreachable; {@code offline-opts} replaces the
 * {@code offline_opts} JSON of EMQX's default {@code on_message_fetch} line; any arg named {@code mqttbackends.*}
 * is passed to the runtime as that property.
 */
public class SqlE2eResource implements QuarkusTestResourceLifecycleManager {
    static final String API_KEY = "e2e-key";
    static final String API_SECRET = "e2e-secret";
    static final String EMQX_DEFAULT_OFFLINE_OPTS = "{\"max_returned_count\": 500, \"time_range\": \"2h\"}";

    private DatabaseKind kind;
    private E2eDatabase database;
    private TcpProxy proxy;
    private RecordingHttpServer emqxApi;
    private boolean startDown;
    private String offlineOpts;
    private String runtimeClientId;
    private Path confDir;
    private final Map<String, String> runtimeProperties = new HashMap<>();

    @Override
    public void init(Map<String, String> initArgs) {
        kind = DatabaseKind.valueOf(initArgs.getOrDefault("database", "pgsql").toUpperCase());
        startDown = Boolean.parseBoolean(initArgs.getOrDefault("start-down", "false"));
        offlineOpts = initArgs.get("offline-opts");
        initArgs.forEach((name, value) -> {
            if (name.startsWith("mqttbackends.")) {
                runtimeProperties.put(name, value);
            }
        });
    }

    @Override
    public Map<String, String> start() {
        database = E2eDatabase.create(kind);
        proxy = new TcpProxy(database.server().host(), database.server().port());
        if (!startDown) {
            proxy.up();
        }
        emqxApi = new RecordingHttpServer();
        runtimeClientId = "e2e-runtime-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> properties = new HashMap<>(Map.ofEntries(
                Map.entry("mqttbackends.conf-dir", writeConf().toString()),
                Map.entry("mqttbackends.mqtt.client-id", runtimeClientId),
                Map.entry("mqttbackends.mqtt.session-expiry", "PT2M"),
                Map.entry("mqttbackends.ingest.emqx-rule.topics", database.rulePrefix() + "/#"),
                Map.entry("mqttbackends.ingest.emqx-sys.topics", database.sysPrefix() + "/brokers/+/clients/#"),
                Map.entry("mqttbackends.ingest.raw.topics", database.rawPrefix() + "/#"),
                Map.entry("mqttbackends.broker-control.type", "emqx"),
                Map.entry("mqttbackends.broker-control.emqx.url", emqxApi.url()),
                Map.entry("mqttbackends.broker-control.emqx.api-key", API_KEY),
                Map.entry("mqttbackends.broker-control.emqx.api-secret", API_SECRET),
                Map.entry("mqttbackends.retry.initial-backoff", "PT0.05S"),
                Map.entry("mqttbackends.retry.max-backoff", "PT0.5S")));
        properties.putAll(runtimeProperties);
        return properties;
    }

    private Path writeConf() {
        String db = database.kind().hookPrefix();
        String confName = "emqx_backend_" + db + ".conf";
        try {
            Path dir = Files.createTempDirectory("mqttbackends-e2e-conf");
            confDir = dir;
            String emqxDefaultHooks = Files.readAllLines(EmqxDefaultConf.path(database.kind()))
                    .stream().filter(l -> l.startsWith("backend." + db + ".hook."))
                    .map(l -> offlineOpts == null ? l : l.replace(EMQX_DEFAULT_OFFLINE_OPTS, offlineOpts))
                    .collect(Collectors.joining("\n"));
            Files.writeString(dir.resolve(confName), database.poolConf("pool1", proxy.port())
                    + "backend." + db + ".pool1.schema.init = true\n" + emqxDefaultHooks + "\n");
            String logged = database.rawPrefix() + "/#";
            Files.writeString(dir.resolve("hook_log.conf"), database.poolConf("pool2", proxy.port()) + String.join("\n",
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

    /** A {@code sql} hook recording the placeholders its hook point offers. */
    private String logHook(String hookPoint, String topic) {
        String columns;
        String values;
        switch (hookPoint) {
            case "client.connected", "client.disconnected" -> {
                columns = "clientid, username, peerhost, node, ts";
                values = "${clientid}, ${username}, ${peerhost}, ${node}, " + database.fromEpochSeconds() + "(${timestamp})";
            }
            case "session.subscribed", "session.unsubscribed" -> {
                columns = "clientid, username, topic, qos, node";
                values = "${clientid}, ${username}, ${topic}, ${qos}, ${node}";
            }
            case "message.publish" -> {
                columns = "clientid, topic, qos, msgid, payload, retain, ts";
                values = "${clientid}, ${topic}, ${qos}, ${msgid}, ${payload}, ${retain}, "
                        + database.fromEpochSeconds() + "(${timestamp})";
            }
            default -> {
                columns = "clientid, topic, qos, msgid";
                values = "${clientid}, ${topic}, ${qos}, ${msgid}";
            }
        }
        String sql = "insert into hook_log (hookpoint, " + columns + ") values ('" + hookPoint + "', " + values + ")";
        return "backend." + database.kind().hookPrefix() + ".hook." + hookPoint + ".10 = {" + (topic == null ? "" : "\"topic\": \"" + topic + "\", ")
                + "\"action\": {\"sql\": [\"" + sql + "\"]}, \"pool\": \"pool2\"}";
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(database, new TestInjector.MatchesType(E2eDatabase.class));
        testInjector.injectIntoFields(proxy, new TestInjector.MatchesType(TcpProxy.class));
        testInjector.injectIntoFields(emqxApi, new TestInjector.MatchesType(RecordingHttpServer.class));
        testInjector.injectIntoFields(runtimeClientId, new TestInjector.AnnotatedAndMatchesType(RuntimeClientId.class,
                String.class));
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (emqxApi != null) {
            emqxApi.close();
        }
        if (database != null) {
            database.close();
        }
        if (confDir != null) {
            try {
                FailureRig.deleteTree(confDir);
            } catch (IOException e) {
                System.err.println("could not delete " + confDir + ": " + e);
            }
        }
    }
}
