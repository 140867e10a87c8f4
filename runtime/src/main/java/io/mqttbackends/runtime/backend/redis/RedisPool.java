package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.BatchGuarantee;
import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.backend.HookActions;
import io.mqttbackends.runtime.backend.PoolTls;
import io.mqttbackends.runtime.backend.PoolTraits;
import io.mqttbackends.runtime.backend.WriteResult;
import java.util.Collections;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.model.conf.ActionSpec;
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
final class RedisPool implements BackendPool<RedisWrite> {

    /**
     * Error codes (the first word of an error reply) with which Redis says "not now" rather than "wrong": loading,
     * failover, cluster resharding, out of memory, and authentication or permission refused (an administrator fixes
     * those; the events wait).
     */
    private static final Set<String> UNAVAILABLE_CODES = Set.of("LOADING", "BUSY", "MASTERDOWN", "READONLY",
            "CLUSTERDOWN", "TRYAGAIN", "MOVED", "ASK", "NOREPLICAS", "OOM", "NOAUTH", "WRONGPASS", "NOPERM");

    private final PoolConfig config;
    private final PoolTraits traits;
    private final Redis client;
    private final boolean cluster;
    private final Optional<RedisControlChannel> channel;
    private final RedisFunctions functions;
    private final PoolTls.FailureLog tls;

    /** @param tls where failures in TLS are logged (every command reports to it) */
    RedisPool(PoolConfig config, Redis client, boolean cluster, Optional<RedisControlChannel> channel,
            PoolTls.FailureLog tls) {
        this.config = config;
        this.traits = PoolTraits.of(config, BatchGuarantee.PER_ITEM);
        this.client = client;
        this.cluster = cluster;
        this.channel = channel;
        this.functions = new RedisFunctions(this);
        this.tls = tls;
    }

    @Override
    public PoolConfig config() {
        return config;
    }

    @Override
    public PoolTraits traits() {
        return traits;
    }

    @Override
    public PoolAction<RedisWrite> prepare(HookConfig hook) {
        if (hook.action() instanceof ActionSpec.Function function) {
            return functions.action(function.name(), hook);
        }
        ActionSpec.Statements statements = HookActions.statements(hook);
        List<RedisCommandTemplate> templates = statements.statements().stream()
                .map(s -> RedisCommandTemplate.compile(s, hook)).toList();
        // Without "pipeline" EMQX sent the commands one at a time: each waits for the previous one's reply.
        return new PoolAction.Write<>(event -> new RedisWrite(templates.stream().map(t -> t.bind(event)).toList(),
                statements.pipeline()));
    }

    /** Whether the pool is a Redis Cluster (no pub/sub channel, keys of one pipeline may live on several nodes). */
    boolean isCluster() {
        return cluster;
    }

    /** One command; a nil reply is {@code null}. */
    Uni<Response> send(Request request) {
        return tls.watch(client.send(request)).onFailure(this::isUnavailable).transform(this::unavailable);
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
                : tls.watch(client.batch(requests)).onFailure(this::isUnavailable).transform(this::unavailable);
    }

    /**
     * The writes in order. Outside a cluster, pipelined writes go together as one {@code MULTI}/{@code EXEC}
     * pipeline: its reply holds one reply per command, so each write's result is its own (Redis applies the other
     * commands of a transaction when one fails, which is why every write must be idempotent). A command refused
     * while queueing aborts the whole transaction and fails the call: nothing applied. On a cluster, whose keys span nodes, and for
     * writes that are not pipelined, each write's commands go one after another and the batch stops at the first
     * failure, so that a later write of the same key never overtakes an earlier one.
     */
    @Override
    public Uni<List<WriteResult>> apply(List<RedisWrite> writes) {
        if (cluster || !writes.stream().allMatch(RedisWrite::pipelined)) {
            return applyInTurn(writes, 0, new ArrayList<>());
        }
        List<Request> transaction = new ArrayList<>();
        transaction.add(Request.cmd(Command.MULTI));
        writes.forEach(w -> transaction.addAll(w.commands()));
        transaction.add(Request.cmd(Command.EXEC));
        return send(transaction)
                .onItem().transform(replies -> results(writes, replies.get(replies.size() - 1)));
    }

    /** Each write's share of an {@code EXEC} reply, in order. */
    private List<WriteResult> results(List<RedisWrite> writes, Response exec) {
        if (exec == null) {
            IllegalStateException aborted = new IllegalStateException(config.qualifiedName()
                    + ": the transaction was discarded");
            return Collections.nCopies(writes.size(), new WriteResult.NotApplied(aborted));
        }
        List<WriteResult> results = new ArrayList<>(writes.size());
        int reply = 0;
        for (RedisWrite write : writes) {
            WriteResult result = WriteResult.APPLIED;
            for (int i = 0; i < write.commands().size(); i++, reply++) {
                Response r = exec.get(reply);
                if (r != null && r.type() == ResponseType.ERROR && result == WriteResult.APPLIED) {
                    result = new WriteResult.Failed(new RedisErrorReply(config.qualifiedName(), r.toString()));
                }
            }
            results.add(result);
        }
        return results;
    }

    /** Writes one after another from {@code index}; at the first failure the rest are not applied. */
    private Uni<List<WriteResult>> applyInTurn(List<RedisWrite> writes, int index, List<WriteResult> done) {
        if (index == writes.size()) {
            return Uni.createFrom().item(done);
        }
        RedisWrite write = writes.get(index);
        Uni<?> sent = write.pipelined() && !cluster ? apply(List.of(write)).onItem().transformToUni(r -> r.get(0)
                instanceof WriteResult.Failed failed ? Uni.createFrom().failure(failed.cause())
                : Uni.createFrom().voidItem()) : sendEach(write.commands());
        return sent
                .onItem().transformToUni(ok -> {
                    done.add(WriteResult.APPLIED);
                    return applyInTurn(writes, index + 1, done);
                })
                .onFailure().recoverWithItem(failure -> {
                    done.add(new WriteResult.Failed(failure));
                    while (done.size() < writes.size()) {
                        done.add(new WriteResult.NotApplied(failure));
                    }
                    return done;
                });
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

    /**
     * An error reply by its code, the first word of the reply as the Redis protocol defines it: server states and
     * refused authentication make the pool unavailable, anything else (WRONGTYPE, ERR on a bad argument) is the
     * write's own. No reply at all (a connection refused or lost, a time-out, an exhausted or closed client) means
     * unavailable.
     */
    @Override
    public FailureClass classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Optional<String> code = t instanceof RedisErrorReply reply ? Optional.of(reply.code())
                    : t instanceof io.vertx.redis.client.Response r && r.type() == ResponseType.ERROR
                            ? Optional.of(RedisErrorReply.codeOf(r.toString())) : Optional.empty();
            if (code.isPresent()) {
                return UNAVAILABLE_CODES.contains(code.get()) ? FailureClass.UNAVAILABLE : FailureClass.PERMANENT;
            }
            if (t instanceof RedisUnavailableException || t instanceof ConnectException || t instanceof IOException
                    || t instanceof TimeoutException || t instanceof VertxException) {
                return FailureClass.UNAVAILABLE;
            }
        }
        return FailureClass.TRANSIENT;
    }

    private boolean isUnavailable(Throwable failure) {
        return classify(failure) == FailureClass.UNAVAILABLE;
    }

    @Override
    public Uni<Void> close() {
        channel.ifPresent(RedisControlChannel::stop);
        client.close();
        return Uni.createFrom().voidItem();
    }
}
