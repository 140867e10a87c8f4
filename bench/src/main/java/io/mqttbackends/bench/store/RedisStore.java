package io.mqttbackends.bench.store;

import static io.mqttbackends.bench.store.Batches.await;

import io.mqttbackends.bench.BenchOptions;
import io.mqttbackends.bench.BenchPayload;
import io.mqttbackends.bench.BenchRows;
import io.mqttbackends.bench.EpochMicros;
import io.mqttbackends.bench.LatencyStats;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Redis with EMQX's layout (EMQX 4.4's key layout, docs/redis.md): {@code on_message_publish} writes hash {@code
 * mqtt:msg:<msgid>} (fields
 * {@code id, from, qos, topic, payload, ts, retain}), adds the msgid to sorted set {@code mqtt:msg:<topic>} and sets
 * the hash's TTL. Redis has no insert-time default to read back, so the time a message became visible is when the
 * benchmark receives the keyspace notification of its hash ({@code notify-keyspace-events Kh} on the private server
 * {@code src/bench/run.sh} starts; {@code ts} is the runtime's receive time, not the store time). The runtime's
 * keys live in the database of {@code --db-name} (an index, default 0); the ceiling writes into the next index.
 */
final class RedisStore implements Store {
    private static final String MSG_PREFIX = "mqtt:msg:";
    private static final int EXPIRE_SECONDS = 3600;

    private final Vertx vertx = Vertx.vertx();
    private final int database;
    private final Redis runtimeDb;
    private final Redis ceilingDb;
    private final Map<String, Long> notified = new ConcurrentHashMap<>();
    private RedisConnection notifications;

    RedisStore(BenchOptions o) {
        try {
            database = Integer.parseInt(o.dbName());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--db-name " + o.dbName() + ": a Redis database index", e);
        }
        String base = "redis://" + (o.dbPassword().isEmpty() ? "" : ":" + o.dbPassword() + "@") + o.dbHost() + ":"
                + o.dbPort() + "/";
        runtimeDb = Redis.createClient(vertx, new RedisOptions().setConnectionString(base + database)
                .setMaxPoolSize(4).setMaxPoolWaiting(1024));
        ceilingDb = Redis.createClient(vertx, new RedisOptions().setConnectionString(base + (database + 1))
                .setMaxPoolSize(o.ceilingConnections()).setMaxPoolWaiting(1024));
    }

    @Override
    public void prepare() {
        await(runtimeDb.send(Request.cmd(Command.CONFIG).arg("SET").arg("notify-keyspace-events").arg("Kh")));
        String channelPrefix = "__keyspace@" + database + "__:";
        notifications = await(runtimeDb.connect());
        notifications.handler(message -> {
            // [pmessage, pattern, channel, event]; the first write of a hash is the moment it became visible
            if (message.size() == 4 && "pmessage".equals(message.get(0).toString())) {
                long now = EpochMicros.now();
                String key = message.get(2).toString().substring(channelPrefix.length());
                notified.putIfAbsent(key, now);
            }
        });
        await(notifications.send(Request.cmd(Command.PSUBSCRIBE).arg(channelPrefix + MSG_PREFIX + "*")));
    }

    @Override
    public Ceiling ceiling(BenchRows rows, int batchRows, int connections) {
        await(ceilingDb.send(Request.cmd(Command.FLUSHDB)));
        double seconds = Batches.write("Redis", rows.count(), batchRows, connections, (from, size) -> {
            List<Request> batch = new ArrayList<>();
            for (long i = from; i < from + size; i++) {
                BenchRows.Row r = rows.row(i);
                String key = MSG_PREFIX + r.msgid();
                batch.add(Request.cmd(Command.HSET).arg(key).arg("id").arg(r.msgid()).arg("from").arg(r.sender())
                        .arg("qos").arg(r.qos()).arg("topic").arg(r.topic()).arg("payload").arg(r.payload())
                        .arg("ts").arg(r.arrivedMillis()).arg("retain").arg("false"));
                batch.add(Request.cmd(Command.ZADD).arg(MSG_PREFIX + r.topic()).arg(r.arrivedMillis())
                        .arg(r.msgid()));
                batch.add(Request.cmd(Command.EXPIRE).arg(key).arg(EXPIRE_SECONDS));
            }
            await(ceilingDb.batch(batch));
        });
        long stored = messageKeys(ceilingDb).size();
        await(ceilingDb.send(Request.cmd(Command.FLUSHDB)));
        return new Ceiling(stored, rows.count() / seconds);
    }

    @Override
    public long count() {
        return notified.size();
    }

    @Override
    public long pollMillis() {
        return 50;
    }

    @Override
    public Verification verify() {
        List<String> keys = messageKeys(runtimeDb);
        LatencyStats latency = new LatencyStats();
        Set<String> messages = new HashSet<>();
        long last = 0;
        for (int from = 0; from < keys.size(); from += 1000) {
            List<String> chunk = keys.subList(from, Math.min(from + 1000, keys.size()));
            List<Request> reads = chunk.stream()
                    .map(k -> Request.cmd(Command.HMGET).arg(k).arg("topic").arg("payload")).toList();
            List<Response> values = await(runtimeDb.batch(reads));
            for (int i = 0; i < chunk.size(); i++) {
                Response fields = values.get(i);
                if (fields.get(0) == null || fields.get(1) == null) {
                    continue;
                }
                byte[] payload = fields.get(1).toBytes();
                messages.add(fields.get(0).toString() + " " + BenchPayload.sequence(payload));
                Long seen = notified.get(chunk.get(i));
                if (seen != null) {
                    latency.record(seen - BenchPayload.publishMicros(payload));
                    last = Math.max(last, seen);
                }
            }
        }
        return new Verification(keys.size(), keys.size(), messages.size(), last, latency.summary());
    }

    /** Every message hash ({@code mqtt:msg:<topic>} sorted sets share the prefix, so the type filters). */
    private List<String> messageKeys(Redis db) {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        do {
            Response page = await(db.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(MSG_PREFIX + "*")
                    .arg("COUNT").arg(1000).arg("TYPE").arg("hash")));
            cursor = page.get(0).toString();
            page.get(1).forEach(k -> keys.add(k.toString()));
        } while (!"0".equals(cursor));
        return keys;
    }

    @Override
    public void reset() {
        await(runtimeDb.send(Request.cmd(Command.FLUSHDB)));
        notified.clear();
    }

    @Override
    public String latencyDefinition() {
        return "publish (time stamp in the payload) to the keyspace notification of the message hash "
                + MSG_PREFIX + "<msgid> reaching the benchmark";
    }

    @Override
    public void close() {
        if (notifications != null) {
            notifications.close();
        }
        runtimeDb.close();
        ceilingDb.close();
        await(vertx.close());
    }
}
