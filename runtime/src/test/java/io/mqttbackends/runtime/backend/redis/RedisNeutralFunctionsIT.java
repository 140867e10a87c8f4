package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.FunctionsContract;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.RedisServer;
import io.mqttbackends.runtime.testing.TestRedis;
import io.vertx.mutiny.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The database-neutral functions contract on Redis. EMQX's keys have no prefix to make unique, so each test gets a
 * private {@code redis-server} on a free port (database 0), which no concurrent run can share, removed after it.
 * Roles are the pubsub mode's functions (a cursor per client and topic).
 */
class RedisNeutralFunctionsIT extends FunctionsContract {

    @Override
    protected DatabaseKind kind() {
        return DatabaseKind.REDIS;
    }

    @Override
    protected FreshStore openFreshStore(Vertx vertx, String uniqueName) {
        RedisServer server = RedisServer.start();
        try {
            var pool = new RedisBackend(vertx).open(poolConfig(Map.of("server", "127.0.0.1:" + server.port(),
                    "pool_size", "4", "database", "0")), PoolRuns.context());
            TestRedis redis = new TestRedis(server.port(), 0);
            return new FreshStore(pool, new Probes(redis), () -> {
                try {
                    redis.close();
                } finally {
                    server.close();
                }
            });
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    @Override
    protected String function(Role role) {
        return switch (role) {
            case CONNECT -> "on_client_connected";
            case DISCONNECT -> "on_client_disconnected";
            case SUBSCRIBE_LOOKUP -> "on_subscribe_lookup";
            case STORE -> "on_message_publish";
            case FETCH -> "on_message_fetch_for_pubsub";
            case ACK -> "on_message_acked_for_pubsub";
            case RETAIN -> "on_message_retain";
            case RETAIN_DELETE -> "on_retain_delete";
            case RETAIN_LOOKUP -> "on_retain_lookup";
        };
    }

    /** EMQX 4.4's keys (see {@link RedisFunctions}), read with plain commands. */
    private record Probes(TestRedis redis) implements FunctionsContract.Probes {

        @Override
        public Optional<Boolean> online(String clientid) {
            Map<String, String> client = redis.hash(RedisFunctions.clientKey(clientid));
            if (client.isEmpty()) {
                return Optional.empty();
            }
            return switch (String.valueOf(client.get("state"))) {
                case "1" -> Optional.of(true);
                case "0" -> Optional.of(false);
                default -> throw new AssertionError(RedisFunctions.clientKey(clientid) + " is " + client);
            };
        }

        @Override
        public void storeSubscription(String clientid, String topic, int qos) {
            redis.command("HSET", RedisFunctions.subKey(clientid), topic, qos);
        }

        /** The topic's sorted set (arrival order) without members whose message hash is gone. */
        @Override
        public List<String> storedMsgids(String topic) {
            return redis.zrange(RedisFunctions.topicKey(topic)).stream()
                    .filter(id -> redis.exists(RedisFunctions.msgKey(id))).toList();
        }

        @Override
        public Optional<String> retainedMsgid(String topic) {
            return redis.string(RedisFunctions.retainKey(topic));
        }

        /** The cursor is the acked msgid itself; {@code "0"} stands before every message. */
        @Override
        public Optional<String> cursorMsgid(String clientid, String topic) {
            return redis.string(RedisFunctions.ackedKey(clientid, topic))
                    .map(id -> id.equals(RedisFunctions.NO_MESSAGE) ? BEFORE_EVERY_MESSAGE : id);
        }
    }
}
