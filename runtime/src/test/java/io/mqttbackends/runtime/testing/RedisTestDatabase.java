package io.mqttbackends.runtime.testing;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.HostPort;
import java.util.HashMap;
import java.util.Map;

/**
 * A numbered database on a private {@link RedisServer} of this test run's own. Redis has sixteen numbered databases
 * and no names, so two runs on the shared server on 6379 could only share them out by luck, and a test's
 * {@code FLUSHDB} would empty the other run's keys: a private server makes every key the test sees its own.
 * Closing stops the server and removes its files.
 */
public final class RedisTestDatabase implements TestDatabase {
    private final RedisServer server;
    private final int index;

    private RedisTestDatabase(RedisServer server, int index) {
        this.server = server;
        this.index = index;
    }

    /**
     * Starts a private server, without persistence (nothing here restarts it), whose database {@code index} the
     * pools use.
     */
    public static RedisTestDatabase start(int index) {
        return new RedisTestDatabase(RedisServer.start("--appendonly", "no"), index);
    }

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.REDIS;
    }

    @Override
    public String name() {
        return Integer.toString(index);
    }

    @Override
    public HostPort server() {
        return new HostPort("127.0.0.1", server.port());
    }

    @Override
    public Map<String, String> poolSettings(String server) {
        Map<String, String> settings = new HashMap<>(Map.of("type", "single", "server", server, "sentinel", "",
                "pool_size", "4", "database", name(), "password", "", "channel", "mqtt_channel", "ssl", "off",
                "cafile", "", "certfile", ""));
        settings.put("keyfile", "");
        return settings;
    }

    /** A client on the pools' database of the server. */
    public TestRedis connect() {
        return new TestRedis(server.port(), index);
    }

    @Override
    public void close() {
        server.close();
    }
}
