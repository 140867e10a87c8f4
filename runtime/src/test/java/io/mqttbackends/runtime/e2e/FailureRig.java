package io.mqttbackends.runtime.e2e;

import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.runtime.testing.KubernetesVolume;
import io.mqttbackends.runtime.testing.TcpProxy;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * What one failure-path end-to-end test class runs its runtime against, and its handle on it: a PostgreSQL database
 * of its own (created empty, dropped at the end), a conf directory laid out as a Kubernetes ConfigMap volume (updated
 * by an atomic {@code ..data} swap, polled every 0.2 s by the runtime), its own MQTT topics (raw ingestion of
 * {@code <prefix>/#}; the other formats off), client id and dead-letter topic on the local Mosquitto, and whatever
 * else the test opened ({@link #closeAtEnd}), closed at the end in reverse order.
 */
public final class FailureRig implements AutoCloseable {
    final String prefix;
    /** The PostgreSQL database of this rig, {@code mqb_<prefix>_<pid>_<random>}. */
    final String database;
    final KubernetesVolume conf;
    final String runtimeClientId;
    /** The proxy {@link #postgresProxy()} made, if any. */
    volatile TcpProxy proxy;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    /** What the resource prepared and the test needs to know (names, passwords), by key. */
    private final Map<String, String> notes = new ConcurrentHashMap<>();

    FailureRig(String prefix) {
        this.prefix = prefix;
        this.database = uniqueName(prefix);
        this.runtimeClientId = prefix + "-runtime-" + random();
        Path root;
        try {
            root = Files.createTempDirectory("mqttbackends-" + prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.conf = new KubernetesVolume(root.resolve("conf"));
        closeAtEnd(() -> deleteTree(root));
        try (TestPostgres admin = TestPostgres.connect("postgres")) {
            admin.execute("create database " + database);
        }
        closeAtEnd(() -> {
            try (TestPostgres admin = TestPostgres.connect("postgres")) {
                admin.execute("drop database if exists " + database + " with (force)");
            }
        });
    }

    /** A database (or user) name no other test run uses: lower case, digits and underscores. */
    static String uniqueName(String label) {
        return "mqb_" + label.replaceAll("[^a-z0-9]", "_") + "_" + ProcessHandle.current().pid() + "_" + random();
    }

    static String random() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /** The runtime's settings: this rig's conf directory, session, topics, and short retry backoffs. */
    Map<String, String> runtimeProperties() {
        Map<String, String> properties = new HashMap<>();
        properties.put("mqttbackends.conf-dir", conf.dir().toString());
        properties.put("mqttbackends.reload.interval", "PT0.2S");
        properties.put("mqttbackends.mqtt.host", TestMqtt.HOST);
        properties.put("mqttbackends.mqtt.port", String.valueOf(TestMqtt.PORT));
        properties.put("mqttbackends.mqtt.client-id", runtimeClientId);
        properties.put("mqttbackends.mqtt.session-expiry", "PT2M");
        properties.put("mqttbackends.ingest.emqx-rule.enabled", "false");
        properties.put("mqttbackends.ingest.emqx-sys.enabled", "false");
        properties.put("mqttbackends.ingest.raw.topics", prefix + "/#");
        properties.put("mqttbackends.dead-letter.topic", deadLetterTopic());
        properties.put("mqttbackends.retry.initial-backoff", "PT0.05S");
        properties.put("mqttbackends.retry.max-backoff", "PT0.5S");
        return properties;
    }

    /** Keeps {@code value} under {@code key} for the test (the resource's {@code prepare} notes what it made). */
    void note(String key, String value) {
        notes.put(key, value);
    }

    /** What was noted under {@code key}; fails when nothing was. */
    String note(String key) {
        String value = notes.get(key);
        if (value == null) {
            throw new IllegalStateException("nothing noted under " + key);
        }
        return value;
    }

    String deadLetterTopic() {
        return prefix + "-dead-letter";
    }

    /** Has {@code resource} closed when the rig closes (last registered, first closed). */
    <T extends AutoCloseable> T closeAtEnd(T resource) {
        synchronized (closeables) {
            closeables.push(resource);
        }
        return resource;
    }

    /**
     * A proxy in front of the real PostgreSQL, not yet accepting connections; kept in {@link #proxy}, closed at the
     * end.
     */
    TcpProxy postgresProxy() {
        proxy = closeAtEnd(new TcpProxy(TestPostgres.HOST, TestPostgres.PORT));
        return proxy;
    }

    /** Replaces the conf directory's content with one file, {@code backends.conf}, in one atomic swap. */
    void write(String backendsConf) {
        conf.write(Map.of("backends.conf", backendsConf));
    }

    /** Replaces the conf directory's content with {@code files} (name to text) in one atomic swap. */
    void write(Map<String, String> files) {
        conf.write(files);
    }

    /** The hash of what the conf directory holds now, computed as the runtime computes it. */
    String hash() {
        return ConfLoader.read(List.of(conf.dir())).hash();
    }

    Path confDir() {
        return conf.dir();
    }

    TestPostgres pg() {
        return TestPostgres.connect(database);
    }

    /**
     * The lines of a PostgreSQL pool on this rig's database at {@code port}: pool_size 2, user postgres, no password,
     * then {@code extraKeys} ({@code "key = value"}), which replace a default of the same key.
     */
    String pgsqlPool(String name, int port, String... extraKeys) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("server", "127.0.0.1:" + port);
        keys.put("pool_size", "2");
        keys.put("username", "postgres");
        keys.put("password", "");
        keys.put("database", database);
        for (String key : extraKeys) {
            String[] kv = key.split("=", 2);
            keys.put(kv[0].trim(), kv[1].trim());
        }
        StringBuilder lines = new StringBuilder();
        keys.forEach((k, v) -> lines.append("backend.pgsql.").append(name).append('.').append(k).append(" = ")
                .append(v).append('\n'));
        return lines.toString();
    }

    /** A {@code message.publish} hook of database {@code db} on {@code <prefix>/<sub>/#} running {@code sql}. */
    String sqlHook(String db, int n, String sub, String pool, String sql) {
        return "backend." + db + ".hook.message.publish." + n + " = {\"topic\": \"" + prefix + "/" + sub + "/#\", "
                + "\"action\": {\"sql\": [\"" + sql + "\"]}, \"pool\": \"" + pool + "\"}\n";
    }

    /** A {@code message.publish} hook on {@code <prefix>/<sub>/#} storing into mqtt_msg (on_message_publish). */
    String storeHook(int n, String sub, String pool) {
        return "backend.pgsql.hook.message.publish." + n + " = {\"topic\": \"" + prefix + "/" + sub + "/#\", "
                + "\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"" + pool + "\"}\n";
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        while (true) {
            AutoCloseable next;
            synchronized (closeables) {
                next = closeables.poll();
            }
            if (next == null) {
                break;
            }
            try {
                next.close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("closing the test rig of " + prefix + " failed", e);
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
