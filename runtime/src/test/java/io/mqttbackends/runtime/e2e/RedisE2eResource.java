package io.mqttbackends.runtime.e2e;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.testing.EmqxDefaultConf;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.mqttbackends.runtime.testing.RedisServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A private Redis server (so a test may stop and restart it without disturbing the shared one), a recording stand-in
 * for the EMQX REST API, and a conf directory holding the hook lines of EMQX's default {@code emqx_backend_redis.conf}
 * unchanged (test resource {@code conf/emqx_backend_redis.conf}) on {@code pool1} (database 0), plus EMQX's
 * commented keep-latest lines, on topics {@code latest/#}, on {@code pool2} (database 1).
 */
public class RedisE2eResource implements QuarkusTestResourceLifecycleManager {
    static final String RULE_PREFIX = "redis-e2e-events";
    static final String SYS_PREFIX = "redis-e2esys";
    static final String RAW_PREFIX = "redis-e2e";
    static final int KEEP_LATEST_DATABASE = 1;

    private RedisServer redis;
    private RecordingHttpServer emqxApi;
    private String runtimeClientId;

    @Override
    public Map<String, String> start() {
        redis = RedisServer.start();
        emqxApi = new RecordingHttpServer();
        runtimeClientId = "redis-e2e-runtime-" + UUID.randomUUID().toString().substring(0, 8);
        return Map.ofEntries(
                Map.entry("mqttbackends.conf-dir", writeConf(redis.port()).toString()),
                Map.entry("mqttbackends.mqtt.client-id", runtimeClientId),
                Map.entry("mqttbackends.mqtt.session-expiry", "PT2M"),
                Map.entry("mqttbackends.ingest.emqx-rule.topics", RULE_PREFIX + "/#"),
                Map.entry("mqttbackends.ingest.emqx-sys.topics", SYS_PREFIX + "/brokers/+/clients/#"),
                Map.entry("mqttbackends.ingest.raw.topics", RAW_PREFIX + "/#,queue/redis-e2e/#,pubsub/redis-e2e/#,"
                        + "latest/redis-e2e/#"),
                Map.entry("mqttbackends.broker-control.type", "emqx"),
                Map.entry("mqttbackends.broker-control.emqx.url", emqxApi.url()),
                Map.entry("mqttbackends.broker-control.emqx.api-key", "k"),
                Map.entry("mqttbackends.broker-control.emqx.api-secret", "s"),
                Map.entry("mqttbackends.retry.initial-backoff", "PT0.05S"),
                Map.entry("mqttbackends.retry.max-backoff", "PT0.5S"));
    }

    private static Path writeConf(int port) {
        try {
            Path dir = Files.createTempDirectory("mqttbackends-redis-e2e-conf");
            String emqxDefault = Files.readString(EmqxDefaultConf.path(DatabaseKind.REDIS));
            String hooks = emqxDefault.lines().filter(l -> l.startsWith("backend.redis.hook."))
                    .collect(Collectors.joining("\n"));
            // EMQX's commented keep-latest lines, moved to their own topics and pool.
            String keepLatest = emqxDefault.lines().filter(l -> l.startsWith("## backend.redis.hook."))
                    .map(l -> l.substring(3).replace("\"topic\": \"#\"", "\"topic\": \"latest/#\"")
                            .replace("\"pool1\"", "\"pool2\"").replaceFirst("\\.1 = ", ".9 = "))
                    .collect(Collectors.joining("\n"));
            Files.writeString(dir.resolve("emqx_backend_redis.conf"), pool("pool1", port, 0) + hooks + "\n");
            Files.writeString(dir.resolve("keep_latest.conf"), pool("pool2", port, KEEP_LATEST_DATABASE)
                    + "backend.redis.pool2.channel = keep_latest_channel\n" + keepLatest + "\n");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pool(String name, int port, int database) {
        String p = "backend.redis." + name + ".";
        return p + "type = single\n" + p + "server = 127.0.0.1:" + port + "\n" + p + "pool_size = 4\n"
                + p + "database = " + database + "\n";
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(redis, new TestInjector.MatchesType(RedisServer.class));
        testInjector.injectIntoFields(emqxApi, new TestInjector.MatchesType(RecordingHttpServer.class));
        testInjector.injectIntoFields(runtimeClientId, new TestInjector.AnnotatedAndMatchesType(RuntimeClientId.class,
                String.class));
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.close();
        }
        if (emqxApi != null) {
            emqxApi.close();
        }
    }
}
