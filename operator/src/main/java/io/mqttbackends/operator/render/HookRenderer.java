package io.mqttbackends.operator.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqttbackends.model.FunctionCatalog;
import io.mqttbackends.model.TopicFilters;
import io.mqttbackends.operator.api.v1alpha1.BackendHook;
import io.mqttbackends.operator.api.v1alpha1.BackendHookSpec;
import io.mqttbackends.operator.api.v1alpha1.HookAction;
import io.mqttbackends.operator.api.v1alpha1.HookPoint;
import io.mqttbackends.operator.api.v1alpha1.PoolType;
import io.mqttbackends.operator.api.v1alpha1.Reason;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders one BackendHook into its {@code backend.<db>.hook.<hookpoint>.<order> = <JSON>} line, or says why it
 * cannot: what a CRD schema cannot know (the pool, its database's functions and statement language, topic filter
 * syntax). Placeholders in statements are left to the runtime's loader, which reports them as {@code ReloadFailed}.
 */
final class HookRenderer {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a hook line goes; two hooks in one slot would write the same conf key. */
    record Slot(PoolType type, HookPoint hookPoint, int order) {
    }

    /** The outcome: the slot and line, or the problem. */
    record Outcome(Verdict verdict, Optional<Slot> slot, Optional<ConfLine> line) {
        static Outcome rejected(Reason reason, String message) {
            return new Outcome(Verdict.rejected(new Problem(reason, message)), Optional.empty(), Optional.empty());
        }
    }

    private HookRenderer() {
    }

    static Outcome render(BackendHook hook, Map<String, PoolRenderer.Outcome> pools) {
        BackendHookSpec spec = hook.getSpec();
        if (spec == null || spec.getHookpoint() == null || spec.getPoolRef() == null || spec.getOrder() == null
                || spec.getAction() == null) {
            return Outcome.rejected(Reason.InvalidSpec, "spec.hookpoint, poolRef, order and action are required");
        }
        PoolRenderer.Outcome pool = pools.get(spec.getPoolRef());
        if (pool == null) {
            return Outcome.rejected(Reason.PoolNotFound, "spec.poolRef: no BackendPool '" + spec.getPoolRef()
                    + "' in this namespace");
        }
        if (!pool.verdict().rendered()) {
            return Outcome.rejected(Reason.PoolNotValid, "spec.poolRef: BackendPool '" + spec.getPoolRef()
                    + "' is not valid: " + pool.verdict().problem().orElseThrow().message());
        }
        PoolType type = pool.type();
        Map<String, Object> json = new LinkedHashMap<>();
        Optional<Outcome> problem = topic(spec, json)
                .or(() -> action(spec, type, json))
                .or(() -> options(spec, type, json));
        if (problem.isPresent()) {
            return problem.get();
        }
        json.put("pool", spec.getPoolRef());
        Slot slot = new Slot(type, spec.getHookpoint(), spec.getOrder());
        String key = "backend." + type.hookPrefix() + ".hook." + spec.getHookpoint().confName() + "."
                + spec.getOrder();
        try {
            // Jackson writes one line: line breaks inside statements become \n escapes.
            return new Outcome(Verdict.RENDERED, Optional.of(slot),
                    Optional.of(new ConfLine(key, JSON.writeValueAsString(json))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of strings and numbers always serialize", e);
        }
    }

    private static Optional<Outcome> topic(BackendHookSpec spec, Map<String, Object> json) {
        String topic = spec.getTopic();
        if (topic == null) {
            return Optional.empty();
        }
        Optional<String> problem = TopicFilters.problem(topic);
        if (problem.isPresent()) {
            return Optional.of(Outcome.rejected(Reason.InvalidTopicFilter, "spec.topic '" + topic
                    + "' is not a valid MQTT topic filter: " + problem.get()));
        }
        json.put("topic", topic);
        return Optional.empty();
    }


    private static Optional<Outcome> action(BackendHookSpec spec, PoolType type, Map<String, Object> json) {
        HookAction action = spec.getAction();
        Map<String, Object> given = new LinkedHashMap<>();
        putIfSet(given, "function", action.getFunction());
        putIfSet(given, "sql", action.getSql());
        putIfSet(given, "cql", action.getCql());
        putIfSet(given, "commands", action.getCommands());
        if (given.size() != 1) {
            return Optional.of(Outcome.rejected(Reason.InvalidAction, "spec.action must set exactly one of "
                    + "function, sql, cql, commands" + (given.isEmpty() ? "" : "; found " + given.keySet())));
        }
        String kind = given.keySet().iterator().next();
        if (kind.equals("function")) {
            String function = action.getFunction();
            if (!FunctionCatalog.functions(type.kind()).contains(function)) {
                return Optional.of(Outcome.rejected(Reason.FunctionNotSupported, "spec.action.function '"
                        + function + "' does not exist for " + type.crName() + " pools"));
            }
            io.mqttbackends.model.HookPoint required = FunctionCatalog.hookPoint(function).orElseThrow();
            if (required != spec.getHookpoint().point()) {
                return Optional.of(Outcome.rejected(Reason.FunctionNotSupported, "spec.action.function '"
                        + function + "' works on " + required.confName() + " only, not on "
                        + spec.getHookpoint().confName()));
            }
        } else {
            Optional<String> language = language(type);
            if (language.isEmpty() || !language.get().equals(kind)) {
                return Optional.of(Outcome.rejected(Reason.ActionNotSupported, "spec.action." + kind
                        + " does not run on " + type.crName() + " pools; "
                        + language.map(l -> "use " + l).orElse("only functions exist for mongo")));
            }
            List<?> statements = (List<?>) given.get(kind);
            if (statements.isEmpty() || statements.stream().anyMatch(s -> s == null || s.toString().isBlank())) {
                return Optional.of(Outcome.rejected(Reason.InvalidAction, "spec.action." + kind
                        + " must hold non-empty statements"));
            }
        }
        json.put("action", given);
        return Optional.empty();
    }

    private static Optional<String> language(PoolType type) {
        return switch (type) {
            case MYSQL, PGSQL -> Optional.of("sql");
            case CASSANDRA -> Optional.of("cql");
            case REDIS -> Optional.of("commands");
            case MONGO -> Optional.empty();
        };
    }

    private static Optional<Outcome> options(BackendHookSpec spec, PoolType type, Map<String, Object> json) {
        if (spec.getOfflineOpts() != null) {
            if (!"on_message_fetch".equals(spec.getAction().getFunction())) {
                return notSupported("spec.offlineOpts applies only to function on_message_fetch");
            }
            Map<String, Object> opts = new LinkedHashMap<>();
            putIfSet(opts, "max_returned_count", spec.getOfflineOpts().getMaxReturnedCount());
            putIfSet(opts, "time_range", spec.getOfflineOpts().getTimeRange());
            json.put("offline_opts", opts);
        }
        if (spec.getExpiredTime() != null) {
            if (type != PoolType.REDIS) {
                return notSupported("spec.expiredTime applies only to redis pools");
            }
            json.put("expired_time", spec.getExpiredTime());
        }
        if (spec.getPayloadFormat() != null) {
            if (type != PoolType.MONGO) {
                return notSupported("spec.payloadFormat applies only to mongo pools");
            }
            json.put("payload_format", spec.getPayloadFormat().confName());
        }
        return Optional.empty();
    }

    private static Optional<Outcome> notSupported(String message) {
        return Optional.of(Outcome.rejected(Reason.OptionNotSupported, message));
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
