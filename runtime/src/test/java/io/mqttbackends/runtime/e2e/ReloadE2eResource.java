package io.mqttbackends.runtime.e2e;

import io.mqttbackends.runtime.testing.KubernetesVolume;
import io.mqttbackends.runtime.testing.PgsqlTestDatabase;
import io.mqttbackends.runtime.testing.TcpProxy;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * A runtime whose conf is two Kubernetes-style volumes (ConfigMap {@code backends.conf}, Secret
 * {@code credentials.conf}), polled every 0.2 s, starting with {@code pool1} behind a {@link TcpProxy} (schema
 * created at start) and one hook storing {@code <prefix>/a/#} with {@code on_message_publish}. A new PostgreSQL
 * database of the test class's own, dropped when it is done, with a {@code reload_log} table for tagged {@code sql}
 * hooks; raw ingestion of {@code <prefix>/#} (init arg {@code prefix}) from the local Mosquitto. The test gets a
 * {@link ReloadConf}.
 */
public class ReloadE2eResource implements QuarkusTestResourceLifecycleManager {
    private String prefix;
    private PgsqlTestDatabase database;
    private TcpProxy proxy;
    private ReloadConf conf;

    @Override
    public void init(Map<String, String> initArgs) {
        prefix = initArgs.get("prefix");
    }

    @Override
    public Map<String, String> start() {
        database = PgsqlTestDatabase.create();
        try (TestPostgres pg = database.connect()) {
            pg.execute("create table reload_log (id serial primary key, tag text, topic text, msgid text, payload text)");
        }
        proxy = new TcpProxy(TestPostgres.HOST, TestPostgres.PORT);
        proxy.up();
        Path root;
        try {
            root = Files.createTempDirectory("mqttbackends-reload");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        conf = new ReloadConf(database, prefix, proxy, new KubernetesVolume(root.resolve("conf")),
                new KubernetesVolume(root.resolve("credentials")));
        conf.write(conf.pool("pool1", proxy.port(), true) + conf.storeHook(1, "a", "pool1"), "pool1");
        return Map.ofEntries(
                Map.entry("mqttbackends.conf-dir", conf.conf.dir() + "," + conf.credentials.dir()),
                Map.entry("mqttbackends.reload.interval", "PT0.2S"),
                Map.entry("mqttbackends.mqtt.client-id", prefix + "-runtime-" + UUID.randomUUID().toString().substring(0, 8)),
                Map.entry("mqttbackends.mqtt.session-expiry", "PT2M"),
                Map.entry("mqttbackends.ingest.emqx-rule.topics", prefix + "-events/#"),
                Map.entry("mqttbackends.ingest.emqx-sys.topics", prefix + "-sys/brokers/+/clients/#"),
                Map.entry("mqttbackends.ingest.raw.topics", prefix + "/#"),
                Map.entry("mqttbackends.retry.initial-backoff", "PT0.05S"),
                Map.entry("mqttbackends.retry.max-backoff", "PT0.5S"));
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(conf, new TestInjector.MatchesType(ReloadConf.class));
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (database != null) {
            database.close();
        }
    }
}
