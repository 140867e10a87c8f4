package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.Invocation;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.VertxException;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.ArrayList;
import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * One {@code backend.redis.<pool>}: a lazily connecting Vert.x Redis client (standalone, sentinel or cluster), which
 * replaces broken connections by itself, its control channel, and the actions compiled against it.
 */
final class RedisPool implements BackendPool {

    /** Error prefixes with which Redis says "not now" rather than "wrong": loading, failover, cluster resharding. */
    private static final Set<String> TRANSIENT_ERRORS = Set.of("LOADING", "BUSY", "MASTERDOWN", "READONLY",
            "CLUSTERDOWN", "TRYAGAIN", "MOVED", "ASK", "NOREPLICAS");

    private final PoolConfig config;
    private final Redis client;
    private final boolean cluster;
    private final Optional<RedisControlChannel> channel;
    private final RedisFunctions functions;

    RedisPool(PoolConfig config, Redis client, boolean cluster, Optional<RedisControlChannel> channel) {
        this.config = config;
        this.client = client;
        this.cluster = cluster;
        this.channel = channel;
        this.functions = new RedisFunctions(this);
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    @Override
    public PoolAction prepare(HookConfig hook) {
        if (hook.action() instanceof ActionSpec.Function function) {
            return functions.action(function.name(), hook);
        }
        ActionSpec.Statements statements = (ActionSpec.Statements) hook.action();
        if (statements.language() != ActionSpec.Language.COMMANDS) {
            throw new ConfigException(hook.location(),
                    "redis hooks run \"commands\", not \"" + statements.language().key() + "\"");
        }
        List<RedisCommandTemplate> templates = statements.statements().stream()
                .map(s -> RedisCommandTemplate.compile(s, hook)).toList();
        // Without "pipeline" EMQX sent the commands one at a time: each waits for the previous one's reply.
        return new RedisWrite(this, event -> templates.stream().map(t -> t.bind(event)).toList(),
                statements.pipeline());
    }

    /** Whether the pool is a Redis Cluster (no pub/sub channel, keys of one pipeline may live on several nodes). */
    boolean isCluster() {
        return cluster;
    }

    /** One command; a nil reply is {@code null}. */
    Uni<Response> send(Request request) {
        return client.send(request).onFailure(this::isTransient).transform(this::unavailable);
    }

    /**
     * Commands in order, as one pipeline; on a cluster one after another, since the keys of one event hash to
     * different slots and a pipeline must stay on one node. The replies are in request order ({@code null} for nil).
     */
    Uni<List<Response>> send(List<Request> requests) {
        if (requests.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return cluster ? sendEach(requests)
                : client.batch(requests).onFailure(this::isTransient).transform(this::unavailable);
    }

    /**
     * Commands in order, as one pipeline wrapped in {@code MULTI}/{@code EXEC}, so that they take effect together
     * or, when one is refused, the call fails (not on a cluster, whose keys span nodes: see {@link #isCluster}).
     */
    Uni<Void> atomically(List<Request> requests) {
        List<Request> transaction = new ArrayList<>(requests.size() + 2);
        transaction.add(Request.cmd(Command.MULTI));
        transaction.addAll(requests);
        transaction.add(Request.cmd(Command.EXEC));
        return send(transaction).onItem().transformToUni(replies -> {
            Response exec = replies.get(replies.size() - 1);
            for (int i = 0; exec != null && i < exec.size(); i++) {
                if (exec.get(i) != null && exec.get(i).type() == ResponseType.ERROR) {
                    return Uni.createFrom().failure(new IllegalStateException(config.qualifiedName() + ": "
                            + exec.get(i)));
                }
            }
            return Uni.createFrom().voidItem();
        });
    }

    /** The writes of several events as one {@code MULTI}/{@code EXEC} pipeline ({@link RedisWrite#batchable}). */
    @Override
    public Uni<Void> runBatch(List<Invocation> writes) {
        List<Request> requests = new ArrayList<>();
        writes.forEach(w -> requests.addAll(((RedisWrite) w.action()).commands(w.event())));
        return atomically(requests);
    }

    /** Commands one after another, each sent when the previous one answered. */
    Uni<List<Response>> sendEach(List<Request> requests) {
        return Multi.createFrom().iterable(requests)
                .onItem().transformToUniAndConcatenate(r -> send(r).onItem().transform(Optional::ofNullable))
                .collect().asList()
                .onItem().transform(replies -> replies.stream().map(o -> o.orElse(null)).toList());
    }

    @Override
    public Uni<Void> ping() {
        return send(Request.cmd(Command.PING)).replaceWithVoid();
    }

    /**
     * The client says only "Cannot connect to any of the provided endpoints": name the pool, what it looks for
     * and where. The cause stays attached, so the failure is still recognised as transient.
     */
    private Throwable unavailable(Throwable failure) {
        return new RedisUnavailableException(config.qualifiedName() + " (" + target() + ") is unavailable: "
                + failure.getMessage(), failure);
    }

    private String target() {
        String servers = config.get("server");
        return switch (config.get("type")) {
            case "sentinel" -> "master '" + config.get("sentinel") + "' through sentinels " + servers;
            case "cluster" -> "cluster nodes " + servers;
            default -> "server " + servers;
        };
    }

    /** Redis has no schema: keys come into being when written. */
    @Override
    public Uni<Void> initSchema() {
        return Uni.createFrom().voidItem();
    }

    @Override
    public boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof IOException || t instanceof TimeoutException) {
                return true;
            }
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            int space = message.indexOf(' ');
            if (TRANSIENT_ERRORS.contains(space < 0 ? message : message.substring(0, space))) {
                return true;
            }
            if (t instanceof VertxException && isConnectionGone(message.toLowerCase())) {
                return true;
            }
        }
        return false;
    }

    /** The client reports lost connections, exhausted pools and unreachable sentinels as bare VertxExceptions. */
    private static boolean isConnectionGone(String message) {
        return message.contains("closed") || message.contains("connection") || message.contains("timeout")
                || message.contains("sentinel") || message.contains("slots") || message.contains("pool");
    }

    @Override
    public Uni<Void> close() {
        channel.ifPresent(RedisControlChannel::stop);
        client.close();
        return Uni.createFrom().voidItem();
    }
}
