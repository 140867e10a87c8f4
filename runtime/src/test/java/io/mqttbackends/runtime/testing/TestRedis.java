package io.mqttbackends.runtime.testing;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Test access to a Redis server (the shared one on 127.0.0.1:6379 or a {@link RedisServer}): run commands, read
 * keys, flush the test's own database.
 */
public final class TestRedis implements AutoCloseable {
    public static final String HOST = "127.0.0.1";
    public static final int PORT = 6379;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Vertx vertx = Vertx.vertx();
    private final Redis client;

    public TestRedis(int port, int database) {
        client = Redis.createClient(vertx, "redis://" + HOST + ":" + port + "/" + database);
    }

    private TestRedis(RedisOptions options) {
        client = Redis.createClient(vertx, options);
    }

    /** A client of a Redis Cluster that follows redirections, seeded with one node. */
    public static TestRedis cluster(int seedPort) {
        return new TestRedis(new RedisOptions().setType(RedisClientType.CLUSTER)
                .setConnectionString("redis://" + HOST + ":" + seedPort));
    }

    /** One command; {@code null} for a nil reply. */
    public Response command(String name, Object... args) {
        Request request = Request.cmd(Command.create(name));
        for (Object a : args) {
            if (a instanceof byte[] bytes) {
                request.arg(bytes);
            } else {
                request.arg(String.valueOf(a));
            }
        }
        return client.send(request).await().atMost(TIMEOUT);
    }

    /** Empties this client's database only, never the others. */
    public void flushDb() {
        command("FLUSHDB");
    }

    public Map<String, String> hash(String key) {
        Response r = command("HGETALL", key);
        Map<String, String> map = new LinkedHashMap<>();
        if (r != null) {
            r.getKeys().forEach(k -> map.put(k, r.get(k).toString()));
        }
        return map;
    }

    public byte[] hashBytes(String key, String field) {
        Response r = command("HGET", key, field);
        return r == null ? null : r.toBytes();
    }

    public Optional<String> string(String key) {
        return Optional.ofNullable(command("GET", key)).map(Response::toString);
    }

    /** Members of a sorted set in score order. */
    public List<String> zrange(String key) {
        return strings(command("ZRANGE", key, 0, -1));
    }

    public Optional<Double> zscore(String key, String member) {
        return Optional.ofNullable(command("ZSCORE", key, member)).map(Response::toDouble);
    }

    public long ttl(String key) {
        return command("TTL", key).toLong();
    }

    public boolean exists(String key) {
        return command("EXISTS", key).toInteger() == 1;
    }

    public List<String> keys(String pattern) {
        return strings(command("KEYS", pattern));
    }

    private static List<String> strings(Response array) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            values.add(array.get(i).toString());
        }
        return values;
    }

    @Override
    public void close() {
        client.close();
        vertx.close().await().atMost(TIMEOUT);
    }
}
