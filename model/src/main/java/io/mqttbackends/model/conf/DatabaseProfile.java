package io.mqttbackends.model.conf;

import static io.mqttbackends.model.conf.PoolKey.ValueType.BOOL;
import static io.mqttbackends.model.conf.PoolKey.ValueType.COUNT;
import static io.mqttbackends.model.conf.PoolKey.ValueType.SERVER;
import static io.mqttbackends.model.conf.PoolKey.ValueType.SERVERS;
import static io.mqttbackends.model.conf.PoolKey.ValueType.SIZE;
import static io.mqttbackends.model.conf.PoolKey.ValueType.TEXT;
import static io.mqttbackends.model.conf.PoolKey.ValueType.oneOf;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.FunctionCatalog;
import io.mqttbackends.model.conf.ActionSpec.Language;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Everything that differs between the five databases, as data: the conf parser, the validator and the operator read
 * it instead of switching on the kind. Key names and defaults are EMQX's own (the pool keys of EMQX 4.4's
 * emqx_backend_*.conf files, docs/configuration.md): a
 * conf file written for EMQX must mean the same here, so a near miss is an error with a hint, never a guess.
 *
 * @param kind              the database
 * @param title             the database's product name, for messages ({@code MongoDB})
 * @param available         whether this build has a backend for it; a pool of an unavailable database is refused
 * @param poolKeys          every pool key by name, the keys all databases share first, then documentation order
 * @param misnomers         names other databases (or habit) use for a key, mapped to this database's name for it
 * @param serverKey         the key of the server address(es): {@code server}, or {@code nodes} for Cassandra
 * @param poolSizeKey       the key of the number of connections: {@code pool_size}, {@code c_pool_size} or
 *                          {@code size}
 * @param userKey           the key of the login name ({@code user}, {@code username}, {@code login}); empty where
 *                          the database authenticates with a password only
 * @param databaseKey       the key naming the database ({@code database}, or {@code keyspace} for Cassandra)
 * @param caFileKey         the key of the CA certificate file: {@code cacertfile} or {@code cafile}
 * @param globalKeys        settings written once per database and copied into each of its pools (MongoDB's
 *                          {@code backend.mongo.topology.*})
 * @param statementLanguage the language of custom statement actions; empty where hooks can only call functions
 * @param hookOptions       the hook options besides topic, action and pool that its hooks accept
 * @param functions         its built-in functions ({@link FunctionCatalog})
 * @param requirements      rules spanning several keys of one pool, checked once all of its keys are known
 */
public record DatabaseProfile(DatabaseKind kind, String title, boolean available, Map<String, PoolKey> poolKeys,
        Map<String, String> misnomers, String serverKey, String poolSizeKey,
        Optional<String> userKey, String databaseKey, String caFileKey, Optional<GlobalKeys> globalKeys,
        Optional<Language> statementLanguage, Set<HookOption> hookOptions, Set<String> functions,
        List<Requirement> requirements) {

    /**
     * Settings of a database written as {@code backend.<poolPrefix>.<section>.<key>}, once for all its pools.
     *
     * @param section the word in place of a pool name, which no pool may therefore have
     * @param keys    the settings by name
     */
    public record GlobalKeys(String section, Map<String, PoolKey> keys) {
        public GlobalKeys {
            keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        }
    }

    /** A rule spanning several keys of one pool, checked once all of its keys are known. */
    public sealed interface Requirement {

        /** The pool keys the rule reads (each must be one of the profile's). */
        List<String> keys();

        /** The error when {@code pool} breaks the rule, located where its deciding key was written. */
        Optional<ConfigError> check(PoolConfig pool);

        /**
         * When {@code key} has {@code value}, {@code requiredKey} must be set, unless {@code unlessTrue} is a key
         * whose value is true.
         *
         * @param note what the required key is, or the way out, for the message
         */
        record NeedsKey(String key, String value, String requiredKey, Optional<String> unlessTrue, String note)
                implements Requirement {

            @Override
            public List<String> keys() {
                return Stream.concat(Stream.of(key, requiredKey), unlessTrue.stream()).toList();
            }

            @Override
            public Optional<ConfigError> check(PoolConfig pool) {
                boolean applies = pool.get(key).equals(value) && pool.optional(requiredKey).isEmpty()
                        && !unlessTrue.map(pool::boolValue).orElse(false);
                return applies ? Optional.of(new ConfigError(pool.locationOf(key), key + " " + value
                        + " needs backend." + pool.kind().poolPrefix() + "." + pool.name() + "." + requiredKey
                        + " (" + note + ")")) : Optional.empty();
            }
        }

        /**
         * When {@code key} has {@code value}, {@code serverKey} names one server, not a list.
         *
         * @param note where a list belongs instead, for the message
         */
        record OneServer(String key, String value, String serverKey, String note) implements Requirement {

            @Override
            public List<String> keys() {
                return List.of(key, serverKey);
            }

            @Override
            public Optional<ConfigError> check(PoolConfig pool) {
                return pool.get(key).equals(value) && pool.get(serverKey).contains(",")
                        ? Optional.of(new ConfigError(pool.locationOf(serverKey), key + " " + value + " takes one "
                                + "host[:port] in " + serverKey + "; " + note))
                        : Optional.empty();
            }
        }

        /**
         * When the boolean {@code flagKey} is true, {@code serverKey} is one DNS name without a port.
         *
         * @param note what the name is used for, for the message
         */
        record HostNameOnly(String flagKey, String serverKey, String note) implements Requirement {

            @Override
            public List<String> keys() {
                return List.of(flagKey, serverKey);
            }

            @Override
            public Optional<ConfigError> check(PoolConfig pool) {
                String server = pool.get(serverKey);
                return pool.boolValue(flagKey) && (server.contains(",") || server.contains(":"))
                        ? Optional.of(new ConfigError(pool.locationOf(serverKey), flagKey + " = true takes one DNS "
                                + "name without a port in " + serverKey + " (" + note + "), not "
                                + pool.shown(serverKey)))
                        : Optional.empty();
            }
        }
    }

    /** Connections per pool: each one is a partition with its own buffers, so the count is a memory bound. */
    public static final int MAX_POOL_SIZE = 256;

    private static final PoolKey.Range POOL_SIZES = new PoolKey.Range(1, MAX_POOL_SIZE, "");

    /**
     * With TLS on, whether the server's certificate and its host name are verified: on unless a pool opts out. EMQX
     * connected with Erlang's {@code verify_none} (any certificate, from anyone); a pool that must keep that says
     * {@code verify = false}. MongoDB pools have no such key: they always verify.
     */
    private static final PoolKey VERIFY = new PoolKey("verify", "true", BOOL, Optional.empty());

    private static final Map<DatabaseKind, DatabaseProfile> PROFILES = new EnumMap<>(DatabaseKind.class);

    static {
        Stream.of(mysql(), pgsql(), redis(), mongo(), cassandra()).forEach(p -> PROFILES.put(p.kind(), p));
    }

    public DatabaseProfile {
        poolKeys = Collections.unmodifiableMap(new LinkedHashMap<>(poolKeys));
        misnomers = Map.copyOf(misnomers);
        hookOptions = Collections.unmodifiableSet(hookOptions.isEmpty() ? EnumSet.noneOf(HookOption.class)
                : EnumSet.copyOf(hookOptions));
        functions = Set.copyOf(functions);
        requirements = List.copyOf(requirements);
        // Every key the profile names must be a key of its pools: a typo here would surface only at run time.
        Stream<String> requirementKeys = requirements.stream().flatMap(r -> r.keys().stream());
        for (String named : Stream.of(Stream.of(serverKey, poolSizeKey, databaseKey, caFileKey), userKey.stream(),
                requirementKeys).flatMap(k -> k).toList()) {
            if (!poolKeys.containsKey(named)) {
                throw new IllegalArgumentException(kind + " profile names '" + named + "', not one of its pool keys");
            }
        }
    }

    /** The profile of a database kind. */
    public static DatabaseProfile of(DatabaseKind kind) {
        return PROFILES.get(kind);
    }

    /** The database kinds this build has a backend for. */
    public static Set<DatabaseKind> availableKinds() {
        return Arrays.stream(DatabaseKind.values()).filter(k -> of(k).available())
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The database kinds whose hooks accept an option, e.g. for "expired_time applies only to redis hooks". */
    public static List<DatabaseKind> kindsAccepting(HookOption option) {
        return Arrays.stream(DatabaseKind.values()).filter(k -> of(k).hookOptions().contains(option)).toList();
    }

    /** Whether {@link #serverKey} takes exactly one {@code host[:port]} rather than a comma-separated list. */
    public boolean singleServer() {
        return poolKeys.get(serverKey).type() == PoolKey.ValueType.SERVER;
    }

    /** Whether its pools have a {@code verify} key (verification of the server's certificate and host name). */
    public boolean hasVerify() {
        return poolKeys.containsKey("verify");
    }

    private static DatabaseProfile mysql() {
        return sql(DatabaseKind.MYSQL, "MySQL", "127.0.0.1:3306", "user", Map.of("username", "user"));
    }

    private static DatabaseProfile pgsql() {
        return sql(DatabaseKind.PGSQL, "PostgreSQL", "127.0.0.1:5432", "username", Map.of("user", "username"));
    }

    /** MySQL and PostgreSQL differ only in their port and the name of their user key. */
    private static DatabaseProfile sql(DatabaseKind kind, String title, String server, String userKey,
            Map<String, String> misnomers) {
        return new DatabaseProfile(kind, title, true, keys(
                key("server", server, SERVER), poolSize("pool_size"), key(userKey, "", TEXT),
                key("password", "", TEXT), key("database", "", TEXT), key("ssl", "false", BOOL),
                key("cacertfile", "", TEXT), key("certfile", "", TEXT), key("keyfile", "", TEXT),
                VERIFY),
                misnomers, "server", "pool_size", Optional.of(userKey), "database", "cacertfile",
                Optional.empty(), Optional.of(Language.SQL), Set.of(HookOption.OFFLINE_OPTS),
                FunctionCatalog.functions(kind), List.of());
    }

    private static DatabaseProfile redis() {
        return new DatabaseProfile(DatabaseKind.REDIS, "Redis", true, keys(
                key("type", "single", oneOf("single", "sentinel", "cluster")),
                key("server", "127.0.0.1:6379", SERVERS), key("sentinel", "", TEXT),
                poolSize("pool_size"), key("database", "0", COUNT), key("password", "", TEXT),
                key("channel", "mqtt_channel", TEXT), key("ssl", "off", BOOL),
                key("cafile", "", TEXT), key("certfile", "", TEXT), key("keyfile", "", TEXT), VERIFY),
                Map.of(), "server", "pool_size", Optional.empty(), "database", "cafile", Optional.empty(),
                Optional.of(Language.COMMANDS), Set.of(HookOption.EXPIRED_TIME),
                FunctionCatalog.functions(DatabaseKind.REDIS),
                List.of(new Requirement.NeedsKey("type", "sentinel", "sentinel", Optional.empty(), "the master name"),
                        new Requirement.OneServer("type", "single", "server",
                                "a list is for type sentinel or cluster")));
    }

    private static DatabaseProfile mongo() {
        // The driver's own defaults (or the pool's call_timeout, for its timeouts) apply to what is not written, so
        // these keys have none; the ranges keep a typo from making a pool that never connects or never gives up.
        PoolKey.Range millis = new PoolKey.Range(1, 600_000, "ms");
        GlobalKeys topology = new GlobalKeys("topology", Stream.of(
                        bounded("pool_size", "", SIZE, POOL_SIZES),
                        bounded("max_overflow", "", COUNT, new PoolKey.Range(0, MAX_POOL_SIZE, "")),
                        bounded("overflow_ttl", "", SIZE, new PoolKey.Range(1, 86_400_000, "ms")),
                        bounded("overflow_check_period", "", SIZE, new PoolKey.Range(1, 86_400_000, "ms")),
                        bounded("local_threshold_ms", "", COUNT, new PoolKey.Range(0, 60_000, "ms")),
                        bounded("connect_timeout_ms", "", SIZE, millis),
                        bounded("socket_timeout_ms", "", SIZE, millis),
                        bounded("server_selection_timeout_ms", "", SIZE, millis),
                        bounded("wait_queue_timeout_ms", "", SIZE, millis),
                        bounded("heartbeat_frequency_ms", "", SIZE, new PoolKey.Range(500, 3_600_000, "ms")),
                        bounded("min_heartbeat_frequency_ms", "", SIZE, new PoolKey.Range(10, 60_000, "ms")))
                .collect(Collectors.toMap(PoolKey::name, k -> k, (a, b) -> a, LinkedHashMap::new)));
        return new DatabaseProfile(DatabaseKind.MONGO, "MongoDB", true, keys(
                key("type", "single", oneOf("single", "unknown", "sharded", "rs")),
                key("srv_record", "false", BOOL), key("rs_set_name", "", TEXT),
                key("server", "127.0.0.1:27017", SERVERS), poolSize("c_pool_size"),
                key("database", "mqtt", TEXT), key("login", "", TEXT), key("password", "", TEXT),
                key("auth_source", "admin", TEXT), key("ssl", "false", BOOL),
                key("keyfile", "", TEXT), key("certfile", "", TEXT), key("cacertfile", "", TEXT),
                key("w_mode", "safe", oneOf("safe", "unsafe")),
                key("r_mode", "slave_ok", oneOf("master", "slave_ok"))),
                Map.of("pool_size", "c_pool_size", "user", "login", "username", "login"), "server", "c_pool_size",
                Optional.of("login"), "database", "cacertfile", Optional.of(topology),
                // EMQX's mongo plug-in ignored actions without a function (docs/mongodb.md "Functions"): there is no
                // statement form.
                Optional.empty(), Set.of(HookOption.OFFLINE_OPTS, HookOption.PAYLOAD_FORMAT),
                FunctionCatalog.functions(DatabaseKind.MONGO),
                List.of(new Requirement.NeedsKey("type", "rs", "rs_set_name", Optional.of("srv_record"),
                                "or srv_record = true to read it from DNS"),
                        new Requirement.OneServer("type", "single", "server",
                                "a list is for type rs, sharded or unknown"),
                        new Requirement.HostNameOnly("srv_record", "server",
                                "looked up as mongodb+srv://<name>")));
    }

    private static DatabaseProfile cassandra() {
        return new DatabaseProfile(DatabaseKind.CASSANDRA, "Cassandra", true, keys(
                key("nodes", "127.0.0.1:9042", SERVERS), poolSize("size"),
                // Seconds between reconnection attempts (EMQX's Chinese docs); 0: the driver's backoff, 1 s to 60 s.
                bounded("auto_reconnect", "1", COUNT, new PoolKey.Range(0, 3600, "s")),
                key("username", "", TEXT), key("password", "", TEXT),
                // What CQL takes as a name unquoted, as EMQX's statements write it, within Cassandra's 48 characters.
                key("keyspace", "mqtt", new PoolKey.ValueType("1 to 48 letters, digits and underscores",
                        v -> v.matches("[A-Za-z0-9_]{1,48}"))),
                key("logger", "info", oneOf("debug", "info", "notice", "warning", "error", "critical", "alert",
                        "emergency")),
                key("ssl", "false", BOOL), key("cafile", "", TEXT),
                key("certfile", "", TEXT), key("keyfile", "", TEXT), VERIFY,
                // Not in EMQX, which wrote at ONE to whatever node it reached: the driver needs the local data
                // centre to route, and a quorum keeps what was acknowledged when a replica fails.
                key("local_datacenter", "datacenter1", TEXT),
                key("consistency", "LOCAL_QUORUM", oneOf("ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL",
                        "LOCAL_ONE", "LOCAL_QUORUM", "EACH_QUORUM"))),
                Map.of("server", "nodes", "pool_size", "size", "database", "keyspace"), "nodes", "size",
                Optional.of("username"), "keyspace", "cafile", Optional.empty(), Optional.of(Language.CQL),
                Set.of(HookOption.OFFLINE_OPTS), FunctionCatalog.functions(DatabaseKind.CASSANDRA), List.of());
    }

    private static PoolKey poolSize(String name) {
        return bounded(name, "8", SIZE, POOL_SIZES);
    }

    private static PoolKey key(String name, String defaultValue, PoolKey.ValueType type) {
        return new PoolKey(name, defaultValue, type, Optional.empty());
    }

    private static PoolKey bounded(String name, String defaultValue, PoolKey.ValueType type, PoolKey.Range range) {
        return new PoolKey(name, defaultValue, type, Optional.of(range));
    }

    /** The keys every database shares, then the database's own. */
    private static Map<String, PoolKey> keys(PoolKey... own) {
        Map<String, PoolKey> keys = new LinkedHashMap<>();
        // Every database can create its tables at start (design: "schema.init") and batches its writes: at most
        // batch_size actions per round trip, a batch waiting at most batch_time milliseconds to fill. The bounds
        // keep one batch's memory and one event's wait within what a single pool can afford.
        Stream.of(key("schema.init", "false", BOOL),
                bounded("batch_size", "500", SIZE, new PoolKey.Range(1, 10_000, "")),
                bounded("batch_time", "0", COUNT, new PoolKey.Range(0, 60_000, "ms")),
                // Every call to the database (a batch, a read, a ping, the schema) fails after call_timeout
                // milliseconds and is retried: a server that accepts connections and never answers must not hold
                // events forever, and a timeout below 100 ms would fail healthy calls.
                bounded("call_timeout", "10000", SIZE, new PoolKey.Range(100, 600_000, "ms")))
                .forEach(k -> keys.put(k.name(), k));
        for (PoolKey k : own) {
            keys.put(k.name(), k);
        }
        return keys;
    }
}
