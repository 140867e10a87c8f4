package io.mqttbackends.operator.render;

import io.mqttbackends.operator.api.v1alpha1.HookPoint;
import io.mqttbackends.operator.api.v1alpha1.PoolType;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which built-in functions each database has and the hook point each works on (spec §2.2-§6.2), so a hook naming a
 * function its pool cannot run reports {@code FunctionNotSupported} on itself instead of failing the whole reload.
 * The runtime's {@code io.mqttbackends.runtime.config.FunctionCatalog} holds the same table and stays the final word
 * (a mismatch would surface as {@code ReloadFailed}); the operator cannot depend on the runtime application, and
 * {@code FunctionCatalogTest} pins this copy to the spec's lists.
 */
public final class FunctionCatalog {

    private static final Map<String, HookPoint> HOOK_POINTS = Map.ofEntries(
            Map.entry("on_client_connected", HookPoint.CLIENT_CONNECTED),
            Map.entry("on_subscribe_lookup", HookPoint.CLIENT_CONNECTED),
            Map.entry("on_subscription_lookup", HookPoint.CLIENT_CONNECTED),
            Map.entry("on_client_disconnected", HookPoint.CLIENT_DISCONNECTED),
            Map.entry("on_message_fetch", HookPoint.SESSION_SUBSCRIBED),
            Map.entry("on_message_fetch_for_queue", HookPoint.SESSION_SUBSCRIBED),
            Map.entry("on_message_fetch_for_pubsub", HookPoint.SESSION_SUBSCRIBED),
            Map.entry("on_message_fetch_for_keep_latest", HookPoint.SESSION_SUBSCRIBED),
            Map.entry("on_retain_lookup", HookPoint.SESSION_SUBSCRIBED),
            Map.entry("on_acked_delete", HookPoint.SESSION_UNSUBSCRIBED),
            Map.entry("on_message_publish", HookPoint.MESSAGE_PUBLISH),
            Map.entry("on_message_store", HookPoint.MESSAGE_PUBLISH),
            Map.entry("on_message_store_keep_latest", HookPoint.MESSAGE_PUBLISH),
            Map.entry("on_message_retain", HookPoint.MESSAGE_PUBLISH),
            Map.entry("on_retain_delete", HookPoint.MESSAGE_PUBLISH),
            Map.entry("on_message_acked", HookPoint.MESSAGE_ACKED),
            Map.entry("on_message_acked_for_queue", HookPoint.MESSAGE_ACKED),
            Map.entry("on_message_acked_for_pubsub", HookPoint.MESSAGE_ACKED),
            Map.entry("on_message_acked_for_keep_latest", HookPoint.MESSAGE_ACKED),
            Map.entry("on_message_delivered", HookPoint.MESSAGE_DELIVERED));

    private static final Set<String> SQL_FUNCTIONS = Set.of(
            "on_client_connected", "on_subscribe_lookup", "on_client_disconnected",
            "on_message_fetch", "on_retain_lookup",
            "on_message_publish", "on_message_store", "on_message_retain", "on_retain_delete",
            "on_message_acked", "on_message_delivered");

    private static final Map<PoolType, Set<String>> FUNCTIONS = new EnumMap<>(Map.of(
            PoolType.MYSQL, SQL_FUNCTIONS,
            PoolType.PGSQL, SQL_FUNCTIONS,
            PoolType.REDIS, Set.of(
                    "on_client_connected", "on_subscribe_lookup", "on_client_disconnected",
                    "on_message_fetch_for_queue", "on_message_fetch_for_pubsub", "on_message_fetch_for_keep_latest",
                    "on_retain_lookup",
                    "on_message_publish", "on_message_store_keep_latest", "on_message_retain", "on_retain_delete",
                    "on_message_acked_for_queue", "on_message_acked_for_pubsub",
                    "on_message_acked_for_keep_latest"),
            PoolType.MONGO, Set.of(
                    "on_client_connected", "on_subscribe_lookup", "on_client_disconnected",
                    "on_message_fetch", "on_retain_lookup", "on_acked_delete",
                    "on_message_publish", "on_message_store", "on_message_retain", "on_retain_delete",
                    "on_message_acked"),
            PoolType.CASSANDRA, Stream.concat(SQL_FUNCTIONS.stream(), Stream.of("on_subscription_lookup"))
                    .collect(Collectors.toUnmodifiableSet())));

    private FunctionCatalog() {
    }

    /** The functions a hook on a pool of this type may call. */
    public static Set<String> functions(PoolType type) {
        return FUNCTIONS.get(type);
    }

    /** The hook point a function works on; empty for a name no database exports. */
    public static Optional<HookPoint> hookPoint(String function) {
        return Optional.ofNullable(HOOK_POINTS.get(function));
    }
}
