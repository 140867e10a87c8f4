package io.mqttbackends.model;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The built-in functions each EMQX 4.x backend exported (listed per database in docs/postgresql.md, mysql.md,
 * redis.md, mongodb.md and cassandra.md) and the one hook point
 * each of them works on: a function on another hook point would receive an event lacking what it reads.
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

    private static final Map<DatabaseKind, Set<String>> FUNCTIONS = new EnumMap<>(Map.of(
            DatabaseKind.MYSQL, SQL_FUNCTIONS,
            DatabaseKind.PGSQL, SQL_FUNCTIONS,
            DatabaseKind.REDIS, Set.of(
                    "on_client_connected", "on_subscribe_lookup", "on_client_disconnected",
                    "on_message_fetch_for_queue", "on_message_fetch_for_pubsub", "on_message_fetch_for_keep_latest",
                    "on_retain_lookup",
                    "on_message_publish", "on_message_store_keep_latest", "on_message_retain", "on_retain_delete",
                    "on_message_acked_for_queue", "on_message_acked_for_pubsub",
                    "on_message_acked_for_keep_latest"),
            DatabaseKind.MONGO, Set.of(
                    "on_client_connected", "on_subscribe_lookup", "on_client_disconnected",
                    "on_message_fetch", "on_retain_lookup", "on_acked_delete",
                    "on_message_publish", "on_message_store", "on_message_retain", "on_retain_delete",
                    "on_message_acked"),
            // EMQ's default cassa conf says on_subscription_lookup while its docs say on_subscribe_lookup
            // (docs/cassandra.md "Functions").
            DatabaseKind.CASSANDRA, union(SQL_FUNCTIONS, "on_subscription_lookup")));

    private FunctionCatalog() {
    }

    /** The function names a hook of this database may call. */
    public static Set<String> functions(DatabaseKind kind) {
        return FUNCTIONS.get(kind);
    }

    /** The hook point a function works on, empty for a name no database exports. */
    public static Optional<HookPoint> hookPoint(String function) {
        return Optional.ofNullable(HOOK_POINTS.get(function));
    }

    /** Whether the function subscribes the connecting client to its stored topics, which needs broker control. */
    public static boolean subscribesClients(String function) {
        return function.equals("on_subscribe_lookup") || function.equals("on_subscription_lookup");
    }

    private static Set<String> union(Set<String> base, String extra) {
        return Stream.concat(base.stream(), Stream.of(extra)).collect(Collectors.toUnmodifiableSet());
    }
}
