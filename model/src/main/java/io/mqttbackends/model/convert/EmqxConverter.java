package io.mqttbackends.model.convert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.BackendsConfig;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfigError;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.ConfigLocation;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.PoolConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns EMQX 4.4 backend conf files ({@code emqx_backend_*.conf}) into the operator's {@code BackendPool} and
 * {@code BackendHook} resources plus one credentials Secret, as YAML, such that the operator renders them back into
 * the same configuration (pools, settings, hooks, order, actions).
 *
 * <p>The files are first read by {@link ConfLoader}, so a file the runtime would refuse is refused here with the same
 * errors. What is then documented to change: pool names become Kubernetes names ({@code <database>-<pool>} when
 * the same pool name is used by several databases, as in EMQX's own five files, else the pool name); hook orders
 * are the numeric suffixes (the operator writes hooks database by database, so hooks of different databases sharing
 * a hook point and a number may run in another order between them, never within one database and hook point); durations are written in EMQX's {@code 1h30m} form; booleans as true/false; user names
 * and passwords move to the Secret (passwords as {@link #PASSWORD_PLACEHOLDER}). A conf key the resources have no
 * field for is an error naming its file, line and key, never dropped.
 */
public final class EmqxConverter {

    /** The value every password gets in the Secret template: the user writes the real one before applying. */
    public static final String PASSWORD_PLACEHOLDER = "REPLACE-WITH-THE-PASSWORD";
    /** The value of a user name read through a reference: the conversion does not copy what it read. */
    public static final String USER_PLACEHOLDER = "REPLACE-WITH-THE-USER-NAME";
    /** The Secret the pools' credentials reference. */
    public static final String SECRET_NAME = "mqttbackends-credentials";
    /** The label the operator reads credential Secrets by. */
    public static final String CREDENTIALS_LABEL = "mqttbackends.io/credentials";
    static final String API_VERSION = "mqttbackends.io/v1alpha1";

    /** A Kubernetes name that is also a conf pool name: a DNS label (no dots, which the conf grammar splits at). */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern ORDER = Pattern.compile("[1-9][0-9]{0,8}");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    /**
     * The converted resources.
     *
     * @param documents the resources in apply order: pools, hooks, then the Secret (each a map as the YAML holds it)
     * @param poolNames the BackendPool name of each conf pool, by its qualified name ({@code redis.pool1})
     * @param secretKeys the Secret's keys with the conf line each came from, for the user to fill in
     */
    public record Conversion(List<Map<String, Object>> documents, Map<String, String> poolNames,
            Map<String, ConfigLocation> secretKeys) {

        /** Every document as YAML, separated by {@code ---}. */
        public String yaml() {
            StringBuilder out = new StringBuilder();
            for (Map<String, Object> document : documents) {
                out.append("---\n");
                try {
                    out.append(YAML.writeValueAsString(document));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("maps of strings, numbers, booleans and lists always serialize", e);
                }
            }
            return out.toString();
        }
    }

    private final String namespace;
    private final List<ConfigError> errors = new ArrayList<>();
    private final Map<String, String> poolNames = new LinkedHashMap<>();
    private final Map<String, String> secretData = new LinkedHashMap<>();
    private final Map<String, ConfigLocation> secretKeys = new LinkedHashMap<>();

    private EmqxConverter(String namespace) {
        this.namespace = namespace;
    }

    /**
     * Reads and converts every {@code *.conf} file of the directories.
     *
     * @param namespace the namespace written into every resource's metadata; empty for none (kubectl's current one)
     * @throws ConfigException listing every error: the loader's, then every key or name that has no resource field
     */
    public static Conversion convert(List<Path> dirs, Optional<String> namespace) {
        return convert(ConfLoader.load(dirs), namespace);
    }

    /** Converts a loaded configuration. */
    public static Conversion convert(BackendsConfig config, Optional<String> namespace) {
        return new EmqxConverter(namespace.orElse(null)).run(config);
    }

    private Conversion run(BackendsConfig config) {
        Map<String, Long> kindsPerName = config.pools().stream()
                .collect(Collectors.groupingBy(PoolConfig::name, Collectors.counting()));
        List<Map<String, Object>> documents = new ArrayList<>();
        for (PoolConfig pool : config.pools()) {
            String name = kindsPerName.get(pool.name()) > 1 ? crType(pool.kind()) + "-" + pool.name() : pool.name();
            if (!DNS_LABEL.matcher(name).matches() || name.length() > 63) {
                errors.add(new ConfigError(pool.location(), "pool name '" + pool.name() + "' cannot be a "
                        + "BackendPool name: use lower-case letters, digits and '-' (at most 63)"));
                continue;
            }
            poolNames.put(pool.qualifiedName(), name);
            documents.add(resource("BackendPool", name, pool(pool, name)));
        }
        for (HookConfig hook : config.hooks()) {
            hook(hook, config).ifPresent(documents::add);
        }
        if (!secretData.isEmpty()) {
            Map<String, Object> metadata = metadata(SECRET_NAME);
            metadata.put("labels", Map.of(CREDENTIALS_LABEL, "true"));
            Map<String, Object> secret = new LinkedHashMap<>();
            secret.put("apiVersion", "v1");
            secret.put("kind", "Secret");
            secret.put("metadata", metadata);
            secret.put("type", "Opaque");
            secret.put("stringData", secretData);
            documents.add(secret);
        }
        if (!errors.isEmpty()) {
            errors.sort(Comparator.comparing((ConfigError e) -> String.valueOf(e.location().file()))
                    .thenComparingInt(e -> e.location().line()));
            throw new ConfigException(errors);
        }
        return new Conversion(documents, poolNames, secretKeys);
    }

    private Map<String, Object> resource(String kind, String name, Map<String, Object> spec) {
        Map<String, Object> resource = new LinkedHashMap<>();
        resource.put("apiVersion", API_VERSION);
        resource.put("kind", kind);
        resource.put("metadata", metadata(name));
        resource.put("spec", spec);
        return resource;
    }

    private Map<String, Object> metadata(String name) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name);
        if (namespace != null) {
            metadata.put("namespace", namespace);
        }
        return metadata;
    }

    /** The CR's name of a database: {@code cassandra} where the conf says ecql/cassa. */
    private static String crType(DatabaseKind kind) {
        return kind == DatabaseKind.CASSANDRA ? "cassandra" : kind.poolPrefix();
    }

    /** The spec of a pool, from the keys its files wrote (defaults stay defaults), in line order. */
    private Map<String, Object> pool(PoolConfig pool, String name) {
        DatabaseProfile profile = DatabaseProfile.of(pool.kind());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("type", crType(pool.kind()));
        List<String> written = pool.locations().keySet().stream()
                .sorted(Comparator.comparing((String k) -> String.valueOf(pool.locationOf(k).file()))
                        .thenComparingInt(k -> pool.locationOf(k).line()))
                .toList();
        for (String key : written) {
            String value = pool.get(key);
            ConfigLocation at = pool.locationOf(key);
            boolean credential = key.equals("password") || profile.userKey().filter(key::equals).isPresent();
            if (pool.hidden().contains(key) && !credential) {
                errors.add(new ConfigError(at, "the value is read through a reference, and a BackendPool field "
                        + "holds values only: write the value (or, for a secret, use the credentials Secret)"));
                continue;
            }
            if (credential && value.isEmpty()) {
                continue; // the default: no user name, no password, nothing for the Secret
            }
            if (credential) {
                credential(spec, pool, name, key, key.equals("password") ? "password" : "username", at);
            } else if (!poolField(spec, pool, profile, key, value)) {
                errors.add(new ConfigError(at, "no BackendPool field takes this key, so the operator cannot "
                        + "render it; remove it or set it in the runtime's conf directly"));
            }
        }
        return spec;
    }

    private void credential(Map<String, Object> spec, PoolConfig pool, String name, String key, String field,
            ConfigLocation at) {
        String secretKey = name + "-" + field;
        // A user name is no secret and keeps its value, unless it was read through a reference (then it may be).
        String value = field.equals("password") ? PASSWORD_PLACEHOLDER
                : pool.hidden().contains(key) ? USER_PLACEHOLDER : pool.get(key);
        secretData.put(secretKey, value);
        secretKeys.put(secretKey, at);
        Map<String, Object> ref = new LinkedHashMap<>();
        ref.put("name", SECRET_NAME);
        ref.put("key", secretKey);
        child(spec, "credentials").put(field, ref);
    }

    /** Puts one conf key into its spec field; false when the key has none. */
    private static boolean poolField(Map<String, Object> spec, PoolConfig pool, DatabaseProfile profile, String key,
            String value) {
        if (key.equals(profile.serverKey())) {
            spec.put("servers", Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
        } else if (key.equals(profile.poolSizeKey())) {
            spec.put("poolSize", pool.intValue(key));
        } else if (key.equals(profile.databaseKey())) {
            spec.put("database", value);
        } else if (key.equals(profile.caFileKey())) {
            child(spec, "tls").put("caFile", value);
        } else {
            return commonField(spec, pool, key, value) || typeField(spec, pool, key, value);
        }
        return true;
    }

    private static boolean commonField(Map<String, Object> spec, PoolConfig pool, String key, String value) {
        switch (key) {
            case "schema.init" -> spec.put("schemaInit", pool.boolValue(key));
            case "batch_size" -> spec.put("batchSize", pool.intValue(key));
            case "batch_time" -> spec.put("batchTime", pool.intValue(key));
            case "call_timeout" -> spec.put("callTimeout", pool.intValue(key));
            case "ssl" -> child(spec, "tls").put("enabled", pool.boolValue(key));
            case "verify" -> child(spec, "tls").put("verify", pool.boolValue(key));
            case "certfile" -> child(spec, "tls").put("certFile", value);
            case "keyfile" -> child(spec, "tls").put("keyFile", value);
            default -> {
                return false;
            }
        }
        return true;
    }

    private static boolean typeField(Map<String, Object> spec, PoolConfig pool, String key, String value) {
        switch (pool.kind()) {
            case REDIS -> {
                Map<String, String> fields = Map.of("type", "mode", "sentinel", "sentinel", "channel", "channel");
                return put(spec, "redis", fields.get(key), value);
            }
            case MONGO -> {
                if (key.equals("srv_record")) {
                    child(spec, "mongo").put("srvRecord", pool.boolValue(key));
                    return true;
                }
                if (key.startsWith("topology.")) {
                    child(child(spec, "mongo"), "topology").put(camel(key.substring("topology.".length())),
                            pool.intValue(key));
                    return true;
                }
                Map<String, String> fields = Map.of("type", "mode", "rs_set_name", "rsSetName",
                        "auth_source", "authSource", "w_mode", "writeMode", "r_mode", "readMode");
                return put(spec, "mongo", fields.get(key), value);
            }
            case CASSANDRA -> {
                if (key.equals("auto_reconnect")) {
                    child(spec, "cassandra").put("autoReconnect", pool.intValue(key));
                    return true;
                }
                Map<String, String> fields = Map.of("logger", "logger", "local_datacenter", "localDatacenter",
                        "consistency", "consistency");
                return put(spec, "cassandra", fields.get(key), value);
            }
            default -> {
                return false;
            }
        }
    }

    private static boolean put(Map<String, Object> spec, String section, String field, String value) {
        if (field == null) {
            return false;
        }
        child(spec, section).put(field, value);
        return true;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> parent, String name) {
        return (Map<String, Object>) parent.computeIfAbsent(name, n -> new LinkedHashMap<String, Object>());
    }

    /** {@code heartbeat_frequency_ms} to {@code heartbeatFrequencyMs}. */
    static String camel(String snake) {
        String[] words = snake.split("_");
        StringBuilder out = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            out.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return out.toString();
    }

    private Optional<Map<String, Object>> hook(HookConfig hook, BackendsConfig config) {
        if (!ORDER.matcher(hook.suffix()).matches()) {
            errors.add(new ConfigError(hook.location(), "the hook suffix '" + hook.suffix() + "' is not a "
                    + "BackendHook order (a whole number from 1, without leading zeros)"));
            return Optional.empty();
        }
        String pool = poolNames.get(config.pool(hook.kind(), hook.pool()).orElseThrow().qualifiedName());
        if (pool == null) {
            return Optional.empty(); // its pool's name was refused above, with the pool's location
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("hookpoint", hook.hookPoint().confName());
        hook.topicFilter().ifPresent(topic -> spec.put("topic", topic));
        spec.put("poolRef", pool);
        spec.put("order", Integer.parseInt(hook.suffix()));
        spec.put("action", action(hook.action()));
        if (hook.offlineOpts().maxReturnedCount().isPresent() || hook.offlineOpts().timeRange().isPresent()) {
            Map<String, Object> offline = new LinkedHashMap<>();
            hook.offlineOpts().maxReturnedCount().ifPresent(n -> offline.put("maxReturnedCount", n));
            hook.offlineOpts().timeRange().ifPresent(d -> offline.put("timeRange", duration(d)));
            spec.put("offlineOpts", offline);
        }
        hook.expiredTime().ifPresent(seconds -> spec.put("expiredTime", seconds));
        hook.payloadFormat().ifPresent(format -> spec.put("payloadFormat", format.confName()));
        String name = crType(hook.kind()) + "-" + hook.hookPoint().confName().replace('.', '-') + "-" + hook.suffix();
        return Optional.of(resource("BackendHook", name, spec));
    }

    private static Map<String, Object> action(ActionSpec action) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (action instanceof ActionSpec.Function function) {
            out.put("function", function.name());
        } else {
            ActionSpec.Statements statements = (ActionSpec.Statements) action;
            List<String> list = new ArrayList<>();
            if (statements.pipeline()) {
                list.add("pipeline");
            }
            list.addAll(statements.statements());
            out.put(statements.language().key(), list);
        }
        return out;
    }

    /** EMQX's duration form, largest units first: {@code 2h}, {@code 1h30m}, {@code 7d}. */
    static String duration(Duration d) {
        long seconds = d.getSeconds();
        char[] units = {'d', 'h', 'm', 's'};
        long[] sizes = {86_400, 3_600, 60, 1};
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < units.length; i++) {
            if (seconds >= sizes[i]) {
                out.append(seconds / sizes[i]).append(units[i]);
                seconds %= sizes[i];
            }
        }
        return out.isEmpty() ? "0s" : out.toString();
    }
}
