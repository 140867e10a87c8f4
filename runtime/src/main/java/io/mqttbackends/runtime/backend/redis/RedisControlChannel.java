package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.model.LogText;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.PoolContext;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.model.conf.PoolConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The pool's pub/sub control channel (docs/redis.md "Control channel"): applications {@code PUBLISH} JSON on {@code
 * channel} and the
 * runtime subscribes or unsubscribes the named client through broker control:
 *
 * <pre>
 * {"type": "subscribe", "topic": "t", "clientid": "c", "qos": "1"}   (qos a string or a number, default 0)
 * {"type": "unsubscribe", "topic": "t", "clientid": "c"}
 * </pre>
 *
 * <p>The subscriber holds a connection of its own and subscribes again whenever that connection is lost (a Redis
 * restart, a sentinel failover). A malformed message is logged at WARN once per kind with the channel name, counted
 * in {@code mqttbackends_events_rejected_total{format="redis-channel"}}, and ignored. With broker control
 * {@code mqtt}, which cannot subscribe clients, the channel is not subscribed at all and start says so; a Redis
 * Cluster pool has no channel (EMQX neither).
 */
final class RedisControlChannel {
    private static final Logger LOG = Logger.getLogger(RedisControlChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The tag under which rejected messages are counted. */
    static final String FORMAT = "redis-channel";
    private static final Duration RECONNECT_FIRST = Duration.ofMillis(100);
    /** EMQX's subscriber reconnected every 5 s. */
    private static final Duration RECONNECT_MAX = Duration.ofSeconds(5);

    private final PoolConfig config;
    private final String channel;
    private final Redis client;
    private final PoolContext context;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;
    private volatile Cancellable connecting;
    private volatile RedisConnection connection;

    RedisControlChannel(PoolConfig config, Redis client, PoolContext context) {
        this.config = config;
        this.channel = config.get("channel");
        this.client = client;
        this.context = context;
    }

    /** Subscribes in the background; never fails (an unreachable Redis is retried until {@link #stop()}). */
    void start() {
        if (!context.brokerCanSubscribeClients()) {
            LOG.warnf("%s: control channel '%s' is inert: broker control 'mqtt' cannot subscribe or unsubscribe"
                    + " clients (set mqttbackends.broker-control.type=emqx to act on it)", config.qualifiedName(),
                    channel);
            return;
        }
        connect();
    }

    private void connect() {
        if (stopped) {
            return;
        }
        connecting = client.connect()
                .onItem().transformToUni(this::subscribe)
                .onFailure().invoke(f -> LOG.debugf("%s: control channel '%s' not subscribed, retrying: %s",
                        config.qualifiedName(), channel, f.getMessage()))
                .onFailure(f -> !stopped).retry().withBackOff(RECONNECT_FIRST, RECONNECT_MAX).indefinitely()
                .subscribe().with(
                        conn -> LOG.infof("%s: listening on control channel '%s'", config.qualifiedName(), channel),
                        f -> LOG.debugf("%s: control channel stopped: %s", config.qualifiedName(), f.getMessage()));
    }

    private Uni<RedisConnection> subscribe(RedisConnection conn) {
        if (stopped) {
            conn.closeAndForget();
            return Uni.createFrom().failure(new IllegalStateException("stopped"));
        }
        connection = conn;
        conn.handler(this::onPush);
        conn.exceptionHandler(f -> LOG.debugf("%s: control channel connection failed: %s", config.qualifiedName(),
                f.getMessage()));
        conn.endHandler(() -> {
            if (!stopped) {
                LOG.warnf("%s: control channel '%s' connection lost; subscribing again", config.qualifiedName(),
                        channel);
                connect();
            }
        });
        return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).replaceWith(conn)
                .onFailure().invoke(f -> conn.closeAndForget());
    }

    private void onPush(Response push) {
        if (push == null || push.size() != 3 || !"message".equals(push.get(0).toString())) {
            return;
        }
        handle(push.get(2).toString());
    }

    /** Carries out one message published on the channel; never fails. */
    void handle(String text) {
        parse(text).ifPresent(outcome -> context.requestBroker(outcome).subscribe().with(
                ok -> { },
                f -> LOG.warnf("%s: control channel '%s' request %s failed: %s", config.qualifiedName(), channel,
                        LogText.of(text), LogText.of(f.getMessage()))));
    }

    /** The broker request a message asks for; empty (and reported) when it is malformed. */
    Optional<ActionOutcome> parse(String text) {
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (IOException e) {
            return reject("not-json", text, "not JSON");
        }
        if (json == null || !json.isObject()) {
            return reject("not-json", text, "not a JSON object");
        }
        Optional<String> type = string(json, "type");
        Optional<String> clientid = string(json, "clientid");
        Optional<String> topic = string(json, "topic");
        if (type.isEmpty() || clientid.isEmpty() || topic.isEmpty()) {
            return reject("missing-field", text, "type, clientid and topic must be non-empty strings");
        }
        switch (type.get()) {
            case "subscribe" -> {
                Optional<Integer> qos = qos(json.get("qos"));
                if (qos.isEmpty()) {
                    return reject("bad-qos", text, "qos must be 0, 1 or 2 (a number or a string)");
                }
                return Optional.of(new ActionOutcome.SubscribeClient(clientid.get(),
                        List.of(new Subscription(topic.get(), qos.get()))));
            }
            case "unsubscribe" -> {
                return Optional.of(new ActionOutcome.UnsubscribeClient(clientid.get(), List.of(topic.get())));
            }
            default -> {
                return reject("unknown-type", text, "type must be subscribe or unsubscribe");
            }
        }
    }

    private static Optional<String> string(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node != null && node.isTextual() && !node.asText().isEmpty() ? Optional.of(node.asText())
                : Optional.empty();
    }

    private static Optional<Integer> qos(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.of(0);
        }
        if (node.isIntegralNumber() || node.isTextual()) {
            return RedisFunctions.qos(node.asText());
        }
        return Optional.empty();
    }

    private Optional<ActionOutcome> reject(String kind, String text, String why) {
        context.rejected(FORMAT, kind);
        if (warned.add(kind)) {
            LOG.warnf("%s: ignoring malformed message on control channel '%s' (%s): %s; further messages of this"
                    + " kind are counted in mqttbackends_events_rejected_total only", config.qualifiedName(),
                    channel, why, LogText.of(text));
        }
        return Optional.empty();
    }

    /** Unsubscribes and closes the connection; no reconnect after this. */
    void stop() {
        stopped = true;
        Cancellable c = connecting;
        if (c != null) {
            c.cancel();
        }
        RedisConnection conn = connection;
        if (conn != null) {
            conn.closeAndForget();
        }
        client.close();
    }
}
