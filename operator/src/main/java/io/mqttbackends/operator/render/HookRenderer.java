package io.mqttbackends.operator.render;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqttbackends.model.conf.HookOption;
import io.mqttbackends.operator.api.v1alpha1.BackendHook;
import io.mqttbackends.operator.api.v1alpha1.BackendHookSpec;
import io.mqttbackends.operator.api.v1alpha1.HookAction;
import io.mqttbackends.operator.api.v1alpha1.HookPoint;
import io.mqttbackends.operator.api.v1alpha1.OfflineOptions;
import io.mqttbackends.operator.api.v1alpha1.PoolType;
import io.mqttbackends.operator.api.v1alpha1.Reason;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Renders one BackendHook into its {@code backend.<db>.hook.<hookpoint>.<order> = <JSON>} line, or says why it
 * cannot. It needs the required fields and a valid pool to know where the line goes; everything the line says
 * (function, statement language and placeholders, topic filter, options) is then judged by the runtime's own loader
 * together with the pool's lines ({@link RuntimeValidation}).
 */
final class HookRenderer {

    /**
     * Jackson escapes the control characters, so \n, \r, VT and FF inside a statement become escapes on one line;
     * NEL, U+2028 and U+2029 it would write as they are, and the runtime refuses a conf line holding them
     * ({@link io.mqttbackends.model.conf.LineTerminators}), so they are escaped too.
     */
    private static final ObjectMapper JSON = new ObjectMapper(new JsonFactoryBuilder()
            .characterEscapes(new LineTerminatorEscapes()).build());

    /** Jackson's standard escapes, plus {@code \\uXXXX} for the line terminators above U+007F. */
    private static final class LineTerminatorEscapes extends CharacterEscapes {
        private final int[] ascii = standardAsciiEscapesForJSON();

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == 0x85 || ch == 0x2028 || ch == 0x2029
                    ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }

    /** Where a hook line goes; two hooks in one slot would write the same conf key. */
    record Slot(PoolType type, HookPoint hookPoint, int order) {
    }

    /** The outcome: the slot and line, or the problem. */
    record Outcome(Verdict verdict, Optional<Slot> slot, Optional<ConfLine> line) {
        static Outcome rejected(Problem problem) {
            return new Outcome(Verdict.rejected(problem), Optional.empty(), Optional.empty());
        }
    }

    private HookRenderer() {
    }

    static Outcome render(BackendHook hook, Map<String, PoolRenderer.Outcome> pools, RuntimeValidation validation) {
        BackendHookSpec spec = hook.getSpec();
        if (spec == null || spec.getHookpoint() == null || spec.getPoolRef() == null || spec.getOrder() == null
                || spec.getAction() == null) {
            return Outcome.rejected(new Problem(Reason.InvalidSpec,
                    "spec.hookpoint, poolRef, order and action are required"));
        }
        PoolRenderer.Outcome pool = pools.get(spec.getPoolRef());
        if (pool == null) {
            return Outcome.rejected(new Problem(Reason.PoolNotFound, "spec.poolRef: no BackendPool '"
                    + spec.getPoolRef() + "' in this namespace"));
        }
        if (!pool.verdict().rendered()) {
            return Outcome.rejected(new Problem(Reason.PoolNotValid, "spec.poolRef: BackendPool '"
                    + spec.getPoolRef() + "' is not valid: " + pool.verdict().problem().orElseThrow().message()));
        }
        PoolType type = pool.type();
        String key = "backend." + type.hookPrefix() + ".hook." + spec.getHookpoint().confName() + "."
                + spec.getOrder();
        ConfLine line = new ConfLine(key, json(spec));
        return validation.hook(pool.conf(), line).map(Outcome::rejected)
                .orElseGet(() -> new Outcome(Verdict.RENDERED,
                        Optional.of(new Slot(type, spec.getHookpoint(), spec.getOrder())), Optional.of(line)));
    }

    /**
     * The hook's JSON with every field the spec sets, in EMQX's order; Jackson writes one line, line breaks inside
     * statements becoming \n escapes. Whether the fields fit together is the loader's to say.
     */
    private static String json(BackendHookSpec spec) {
        Map<String, Object> json = new LinkedHashMap<>();
        putIfSet(json, "topic", spec.getTopic());
        HookAction action = spec.getAction();
        Map<String, Object> given = new LinkedHashMap<>();
        putIfSet(given, "function", action.getFunction());
        putIfSet(given, "sql", action.getSql());
        putIfSet(given, "cql", action.getCql());
        putIfSet(given, "commands", action.getCommands());
        json.put("action", given);
        OfflineOptions offline = spec.getOfflineOpts();
        if (offline != null) {
            Map<String, Object> opts = new LinkedHashMap<>();
            putIfSet(opts, "max_returned_count", offline.getMaxReturnedCount());
            putIfSet(opts, "time_range", offline.getTimeRange());
            json.put(HookOption.OFFLINE_OPTS.key(), opts);
        }
        putIfSet(json, HookOption.EXPIRED_TIME.key(), spec.getExpiredTime());
        if (spec.getPayloadFormat() != null) {
            json.put(HookOption.PAYLOAD_FORMAT.key(), spec.getPayloadFormat().confName());
        }
        json.put("pool", spec.getPoolRef());
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of strings, numbers and lists always serialize", e);
        }
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
