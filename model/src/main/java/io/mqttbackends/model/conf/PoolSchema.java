package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The pool keys of each database, with EMQX's exact names, defaults and value types (spec §2.1, §3.1, §4.1, §5.1,
 * §6.1). Key names differ per database on purpose ({@code user} vs {@code username}, {@code c_pool_size}, ...): a
 * conf file written for EMQX must mean the same here, so a near miss is an error with a hint, never a guess.
 */
final class PoolSchema {

    /** A value type: what the error says is expected, and the test. */
    record ValueType(String expected, Predicate<String> accepts) {
    }

    /** One pool key. */
    record Key(String name, String defaultValue, ValueType type) {
    }

    private static final ValueType TEXT = new ValueType("text", v -> true);
    private static final ValueType COUNT = new ValueType("a non-negative integer", v -> parseInt(v) >= 0);
    private static final ValueType SIZE = new ValueType("a positive integer", v -> parseInt(v) > 0);
    private static final ValueType BOOL = new ValueType("a boolean (true/false, on/off, 1/0)",
            v -> Set.of("true", "false", "on", "off", "1", "0").contains(v.toLowerCase()));
    private static final ValueType SERVER = new ValueType("host[:port] with port 1..65535",
            PoolSchema::isServer);
    private static final ValueType SERVERS = new ValueType(
            "a comma-separated list of host[:port] with port 1..65535",
            v -> List.of(v.split(",", -1)).stream().allMatch(PoolSchema::isServer));

    /** Global MongoDB driver settings, copied into every mongo pool as {@code topology.<key>}. */
    static final Set<String> MONGO_TOPOLOGY_KEYS = Set.of("pool_size", "max_overflow", "overflow_ttl",
            "overflow_check_period", "local_threshold_ms", "connect_timeout_ms", "socket_timeout_ms",
            "server_selection_timeout_ms", "wait_queue_timeout_ms", "heartbeat_frequency_ms",
            "min_heartbeat_frequency_ms");

    static final ValueType MONGO_TOPOLOGY_TYPE = COUNT;

    private static final Map<DatabaseKind, Map<String, Key>> SCHEMAS = new EnumMap<>(DatabaseKind.class);

    /** Names other databases (or habit) use for a key, mapped to this database's name for it. */
    private static final Map<DatabaseKind, Map<String, String>> MISNOMERS = new EnumMap<>(Map.of(
            DatabaseKind.MYSQL, Map.of("username", "user"),
            DatabaseKind.PGSQL, Map.of("user", "username"),
            DatabaseKind.MONGO, Map.of("pool_size", "c_pool_size", "user", "login", "username", "login"),
            DatabaseKind.CASSANDRA, Map.of("server", "nodes", "pool_size", "size", "database", "keyspace"),
            DatabaseKind.REDIS, Map.of()));

    static {
        SCHEMAS.put(DatabaseKind.MYSQL, schema(
                key("server", "127.0.0.1:3306", SERVER), key("pool_size", "8", SIZE),
                key("user", "", TEXT), key("password", "", TEXT), key("database", "", TEXT),
                key("ssl", "false", BOOL), key("cacertfile", "", TEXT), key("certfile", "", TEXT),
                key("keyfile", "", TEXT), key("verify", "false", BOOL)));
        SCHEMAS.put(DatabaseKind.PGSQL, schema(
                key("server", "127.0.0.1:5432", SERVER), key("pool_size", "8", SIZE),
                key("username", "", TEXT), key("password", "", TEXT), key("database", "", TEXT),
                key("ssl", "false", BOOL), key("cacertfile", "", TEXT), key("certfile", "", TEXT),
                key("keyfile", "", TEXT), key("verify", "false", BOOL)));
        SCHEMAS.put(DatabaseKind.REDIS, schema(
                key("type", "single", oneOf("single", "sentinel", "cluster")),
                key("server", "127.0.0.1:6379", SERVERS), key("sentinel", "", TEXT), key("pool_size", "8", SIZE),
                key("database", "0", COUNT), key("password", "", TEXT), key("channel", "mqtt_channel", TEXT),
                key("ssl", "off", BOOL), key("cafile", "", TEXT), key("certfile", "", TEXT),
                key("keyfile", "", TEXT)));
        SCHEMAS.put(DatabaseKind.MONGO, schema(
                key("type", "single", oneOf("single", "unknown", "sharded", "rs")),
                key("srv_record", "false", BOOL), key("rs_set_name", "", TEXT),
                key("server", "127.0.0.1:27017", SERVERS), key("c_pool_size", "8", SIZE),
                key("database", "mqtt", TEXT), key("login", "", TEXT), key("password", "", TEXT),
                key("auth_source", "admin", TEXT), key("ssl", "false", BOOL), key("keyfile", "", TEXT),
                key("certfile", "", TEXT), key("cacertfile", "", TEXT),
                key("w_mode", "safe", oneOf("safe", "unsafe")),
                key("r_mode", "slave_ok", oneOf("master", "slave_ok"))));
        SCHEMAS.put(DatabaseKind.CASSANDRA, schema(
                key("nodes", "127.0.0.1:9042", SERVERS), key("size", "8", SIZE), key("auto_reconnect", "1", COUNT),
                key("username", "", TEXT), key("password", "", TEXT), key("keyspace", "mqtt", TEXT),
                key("logger", "info", TEXT), key("ssl", "false", BOOL), key("cafile", "", TEXT),
                key("certfile", "", TEXT), key("keyfile", "", TEXT), key("verify", "false", BOOL)));
    }

    private PoolSchema() {
    }

    /** The keys of a database's pools, in documentation order. */
    static Map<String, Key> keys(DatabaseKind kind) {
        return SCHEMAS.get(kind);
    }

    /** The error for a key outside the schema, with the hint EMQX users most likely need. */
    static String unknownKeyMessage(DatabaseKind kind, String key) {
        Optional<String> hint = Optional.ofNullable(MISNOMERS.get(kind).get(key))
                .or(() -> Hints.closest(key, keys(kind).keySet()));
        return "unknown key '" + key + "' for " + kind.poolPrefix() + " pools" + Hints.didYouMean(hint);
    }

    /** The error for a value of the wrong type, empty when the value fits. */
    static Optional<String> valueProblem(String key, ValueType type, String value) {
        if (type.accepts().test(value)) {
            return Optional.empty();
        }
        return Optional.of("'" + value + "' is not valid for " + key + ": expected " + type.expected());
    }

    /** Rules spanning several keys of one pool, checked once all of its keys are known. */
    static List<ConfigError> crossCheck(PoolConfig pool) {
        List<ConfigError> errors = new ArrayList<>();
        String prefix = "backend." + pool.kind().poolPrefix() + "." + pool.name() + ".";
        if (pool.kind() == DatabaseKind.REDIS && pool.get("type").equals("sentinel")
                && pool.optional("sentinel").isEmpty()) {
            errors.add(new ConfigError(pool.locationOf("type"),
                    "type sentinel needs " + prefix + "sentinel (the master name)"));
        }
        if (pool.kind() == DatabaseKind.MONGO && pool.get("type").equals("rs")
                && pool.optional("rs_set_name").isEmpty() && !pool.boolValue("srv_record")) {
            errors.add(new ConfigError(pool.locationOf("type"),
                    "type rs needs " + prefix + "rs_set_name (or srv_record = true to read it from DNS)"));
        }
        return errors;
    }

    private static ValueType oneOf(String... values) {
        List<String> allowed = List.of(values);
        return new ValueType("one of " + String.join(", ", allowed), allowed::contains);
    }

    private static Key key(String name, String defaultValue, ValueType type) {
        return new Key(name, defaultValue, type);
    }

    private static Map<String, Key> schema(Key... keys) {
        Map<String, Key> schema = new LinkedHashMap<>();
        // Every database can create its tables at start (design: "schema.init") and batches its writes: at most
        // batch_size actions per round trip, a batch waiting at most batch_time milliseconds to fill.
        schema.put("schema.init", key("schema.init", "false", BOOL));
        schema.put("batch_size", key("batch_size", "500", SIZE));
        schema.put("batch_time", key("batch_time", "0", COUNT));
        // Every call to the database (a batch, a read, a ping, the schema) fails after call_timeout milliseconds
        // and is retried: a server that accepts connections and never answers must not hold events forever.
        schema.put("call_timeout", key("call_timeout", "10000", SIZE));
        for (Key k : keys) {
            schema.put(k.name(), k);
        }
        return Collections.unmodifiableMap(schema);
    }

    private static boolean isServer(String value) {
        // Any default port will do: only whether the value parses matters here.
        return HostPort.parse(value, 1).isPresent();
    }

    /** The integer value, or -1 when it is none (every integer key here is non-negative). */
    private static int parseInt(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
