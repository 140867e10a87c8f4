package io.mqttbackends.operator.render;

import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.model.conf.LineTerminators;
import io.mqttbackends.operator.api.v1alpha1.BackendPool;
import io.mqttbackends.operator.api.v1alpha1.BackendPoolSpec;
import io.mqttbackends.operator.api.v1alpha1.CassandraOptions;
import io.mqttbackends.operator.api.v1alpha1.Credentials;
import io.mqttbackends.operator.api.v1alpha1.MongoOptions;
import io.mqttbackends.operator.api.v1alpha1.PoolType;
import io.mqttbackends.operator.api.v1alpha1.Reason;
import io.mqttbackends.operator.api.v1alpha1.RedisOptions;
import io.mqttbackends.operator.api.v1alpha1.RetentionOptions;
import io.mqttbackends.operator.api.v1alpha1.SecretKeyRef;
import io.mqttbackends.operator.api.v1alpha1.Tls;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Renders one BackendPool into {@code backend.<db>.<name>.<key>} lines with its database's own key names (its
 * {@link DatabaseProfile}), or says why it cannot. It refuses only what has no conf line to go to (a second server
 * where one is taken, a username for a database without one, options of another type, unreadable Secrets); whether
 * the lines are valid is then decided by the runtime's own loader ({@link RuntimeValidation}). Mongo's topology settings
 * come out apart from the pool's lines, for the namespace to write once.
 */
final class PoolRenderer {

    /**
     * A DNS label: what Kubernetes allows in a name minus the dots, which the conf grammar would read as key
     * separators. Hyphens are fine there ({@code backend.pgsql.my-pool.server} parses).
     */
    static final Pattern POOL_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    /**
     * The outcome: the lines for backends.conf and credentials.conf, or the problem. {@code global} holds the
     * database's global settings the pool gives (mongo's {@code backend.mongo.topology.*}): not the pool's own
     * lines, since the namespace writes each of them once for all pools ({@link NamespaceRenderer}).
     */
    record Outcome(Verdict verdict, PoolType type, List<ConfLine> conf, List<ConfLine> credentials,
            List<ConfLine> global) {

        /** The same pool refused for a reason found beyond its own lines. */
        Outcome rejected(Problem problem) {
            return new Outcome(Verdict.rejected(problem), type, List.of(), List.of(), List.of());
        }
    }

    private final BackendPool pool;
    private final BackendPoolSpec spec;
    private final DatabaseProfile profile;
    private final SecretLookup secrets;
    private final List<ConfLine> conf = new ArrayList<>();
    private final List<ConfLine> credentials = new ArrayList<>();
    private final List<ConfLine> global = new ArrayList<>();
    private final String prefix;

    private PoolRenderer(BackendPool pool, SecretLookup secrets) {
        this.pool = pool;
        this.spec = pool.getSpec();
        this.profile = DatabaseProfile.of(spec.getType().kind());
        this.secrets = secrets;
        this.prefix = "backend." + spec.getType().poolPrefix() + "." + pool.getMetadata().getName() + ".";
    }

    static Outcome render(BackendPool pool, SecretLookup secrets, RuntimeValidation validation) {
        if (pool.getSpec() == null || pool.getSpec().getType() == null) {
            return new Outcome(Verdict.rejected(new Problem(Reason.InvalidSpec, "spec.type is required")), null,
                    List.of(), List.of(), List.of());
        }
        PoolRenderer renderer = new PoolRenderer(pool, secrets);
        // The global lines are judged with the pool that gives them: the loader checks their values there.
        Optional<Problem> problem = renderer.render().or(() -> validation.pool(
                Stream.concat(renderer.conf.stream(), renderer.global.stream()).toList(), renderer.credentials));
        Outcome rendered = new Outcome(Verdict.RENDERED, pool.getSpec().getType(), renderer.conf,
                renderer.credentials, renderer.global);
        return problem.map(rendered::rejected).orElse(rendered);
    }

    private Optional<Problem> render() {
        PoolType type = spec.getType();
        String name = pool.getMetadata().getName();
        if (!POOL_NAME.matcher(name).matches()) {
            return invalidName("'" + name + "' cannot be a conf pool name: use lower-case letters, digits and '-' "
                    + "(no dots)");
        }
        if (name.equals("hook") || profile.globalKeys().filter(g -> g.section().equals(name)).isPresent()) {
            return invalidName("'" + name + "' is a reserved word of the conf grammar for " + type.crName());
        }
        return servers(type)
                .or(this::database)
                .or(() -> otherTypesOptions(type))
                .or(() -> options(type))
                .or(this::retention)
                .or(() -> tls(type))
                .or(() -> credentials(type));
    }

    /**
     * Always written, with the database's default when the spec names no server: a pool the conf does not mention
     * does not exist for the runtime, so hooks on it would fail to load.
     */
    private Optional<Problem> servers(PoolType type) {
        List<String> servers = spec.getServers();
        if (servers == null || servers.isEmpty()) {
            conf.add(ConfLine.plain(prefix + profile.serverKey(),
                    profile.poolKeys().get(profile.serverKey()).defaultValue()));
            return Optional.empty();
        }
        if (profile.singleServer() && servers.size() > 1) {
            return invalid("spec.servers: " + type.crName() + " takes exactly one server, got " + servers.size());
        }
        conf.add(ConfLine.plain(prefix + profile.serverKey(), String.join(",", servers)));
        return Optional.empty();
    }

    private Optional<Problem> database() {
        if (spec.getPoolSize() != null) {
            conf.add(ConfLine.plain(prefix + profile.poolSizeKey(), spec.getPoolSize()));
        }
        if (spec.getSchemaInit() != null) {
            conf.add(ConfLine.plain(prefix + "schema.init", spec.getSchemaInit()));
        }
        if (spec.getBatchSize() != null) {
            conf.add(ConfLine.plain(prefix + "batch_size", spec.getBatchSize()));
        }
        if (spec.getBatchTime() != null) {
            conf.add(ConfLine.plain(prefix + "batch_time", spec.getBatchTime()));
        }
        if (spec.getCallTimeout() != null) {
            conf.add(ConfLine.plain(prefix + "call_timeout", spec.getCallTimeout()));
        }
        return optionalText(profile.databaseKey(), spec.getDatabase(), "spec.database");
    }

    private Optional<Problem> otherTypesOptions(PoolType type) {
        Map<PoolType, Object> options = new EnumMap<>(PoolType.class);
        if (spec.getRedis() != null) {
            options.put(PoolType.REDIS, spec.getRedis());
        }
        if (spec.getMongo() != null) {
            options.put(PoolType.MONGO, spec.getMongo());
        }
        if (spec.getCassandra() != null) {
            options.put(PoolType.CASSANDRA, spec.getCassandra());
        }
        return options.keySet().stream().filter(t -> t != type).findFirst()
                .map(t -> new Problem(Reason.InvalidSpec, "spec." + t.crName() + " is set on a " + type.crName()
                        + " pool"));
    }

    /** The CR's option objects are per type; each maps its own fields to keys. */
    private Optional<Problem> options(PoolType type) {
        return switch (type) {
            case REDIS -> redis(spec.getRedis());
            case MONGO -> mongo(spec.getMongo());
            case CASSANDRA -> cassandra(spec.getCassandra());
            case MYSQL, PGSQL -> Optional.empty();
        };
    }

    /**
     * Rendered for any type: the runtime's loader, which knows them as keys of mysql and pgsql pools only, refuses them
     * on the others with a message naming those ({@link RuntimeValidation}), as it would a conf file.
     */
    private Optional<Problem> retention() {
        RetentionOptions retention = spec.getRetention();
        if (retention == null) {
            return Optional.empty();
        }
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("retention.max_age", retention.getMaxAge());
        keys.put("retention.max_per_topic", retention.getMaxPerTopic());
        keys.put("retention.interval", retention.getInterval());
        keys.put("retention.batch_size", retention.getBatchSize());
        keys.forEach((key, value) -> {
            if (value != null) {
                conf.add(ConfLine.plain(prefix + key, value));
            }
        });
        return Optional.empty();
    }

    private Optional<Problem> redis(RedisOptions redis) {
        if (redis == null) {
            return Optional.empty();
        }
        if (redis.getMode() != null) {
            conf.add(ConfLine.plain(prefix + "type", redis.getMode().name().toLowerCase()));
        }
        return optionalText("sentinel", redis.getSentinel(), "spec.redis.sentinel")
                .or(() -> optionalText("channel", redis.getChannel(), "spec.redis.channel"));
    }

    private Optional<Problem> mongo(MongoOptions mongo) {
        if (mongo == null) {
            return Optional.empty();
        }
        if (mongo.getMode() != null) {
            conf.add(ConfLine.plain(prefix + "type", mongo.getMode().name().toLowerCase()));
        }
        if (mongo.getSrvRecord() != null) {
            conf.add(ConfLine.plain(prefix + "srv_record", mongo.getSrvRecord()));
        }
        if (mongo.getWriteMode() != null) {
            conf.add(ConfLine.plain(prefix + "w_mode", mongo.getWriteMode().name().toLowerCase()));
        }
        if (mongo.getReadMode() != null) {
            conf.add(ConfLine.plain(prefix + "r_mode", mongo.getReadMode().name().toLowerCase()));
        }
        if (mongo.getTopology() != null) {
            String section = profile.globalKeys().orElseThrow().section();
            mongo.getTopology().confSettings().forEach((key, value) -> global.add(ConfLine.plain(
                    "backend." + PoolType.MONGO.poolPrefix() + "." + section + "." + key, value)));
        }
        return optionalText("rs_set_name", mongo.getRsSetName(), "spec.mongo.rsSetName")
                .or(() -> optionalText("auth_source", mongo.getAuthSource(), "spec.mongo.authSource"));
    }

    private Optional<Problem> cassandra(CassandraOptions cassandra) {
        if (cassandra == null) {
            return Optional.empty();
        }
        if (cassandra.getAutoReconnect() != null) {
            conf.add(ConfLine.plain(prefix + "auto_reconnect", cassandra.getAutoReconnect()));
        }
        if (cassandra.getConsistency() != null) {
            conf.add(ConfLine.plain(prefix + "consistency", cassandra.getConsistency().name()));
        }
        return optionalText("logger", cassandra.getLogger(), "spec.cassandra.logger")
                .or(() -> optionalText("local_datacenter", cassandra.getLocalDatacenter(),
                        "spec.cassandra.localDatacenter"));
    }

    private Optional<Problem> tls(PoolType type) {
        Tls tls = spec.getTls();
        if (tls == null) {
            return Optional.empty();
        }
        if (tls.getVerify() != null && !profile.hasVerify()) {
            return invalid("spec.tls.verify: " + type.crName() + " pools have no verify setting"
                    + (type == PoolType.MONGO ? " (they always verify the server certificate and host name)" : ""));
        }
        conf.add(ConfLine.plain(prefix + "ssl", tls.isEnabled()));
        if (tls.getVerify() != null) {
            conf.add(ConfLine.plain(prefix + "verify", tls.getVerify()));
        }
        return optionalText(profile.caFileKey(), tls.getCaFile(), "spec.tls.caFile")
                .or(() -> optionalText("certfile", tls.getCertFile(), "spec.tls.certFile"))
                .or(() -> optionalText("keyfile", tls.getKeyFile(), "spec.tls.keyFile"));
    }

    private Optional<Problem> credentials(PoolType type) {
        Credentials creds = spec.getCredentials();
        if (creds == null) {
            return Optional.empty();
        }
        Optional<Problem> user = Optional.empty();
        if (creds.getUsername() != null) {
            user = profile.userKey()
                    .map(key -> secret(key, creds.getUsername(), "spec.credentials.username"))
                    .orElseGet(() -> invalid("spec.credentials.username: " + type.crName()
                            + " pools authenticate with a password only"));
        }
        return user.or(() -> secret("password", creds.getPassword(), "spec.credentials.password"));
    }

    private Optional<Problem> secret(String key, SecretKeyRef ref, String field) {
        if (ref == null) {
            return Optional.empty();
        }
        Optional<Map<String, String>> data = secrets.data(ref.getName());
        if (data.isEmpty()) {
            return Optional.of(new Problem(Reason.SecretNotFound, field + ": no Secret '" + ref.getName()
                    + "' labelled " + SecretLookup.LABEL + "=" + SecretLookup.LABEL_VALUE + " (the operator reads no "
                    + "other Secret); create it, or label it: kubectl label secret " + ref.getName() + " "
                    + SecretLookup.LABEL + "=" + SecretLookup.LABEL_VALUE));
        }
        String value = data.get().get(ref.getKey());
        if (value == null) {
            return Optional.of(new Problem(Reason.SecretNotFound, field + ": Secret '" + ref.getName()
                    + "' has no key '" + ref.getKey() + "'"));
        }
        Optional<String> unwritable = LineTerminators.problem(field + ": the value of Secret '" + ref.getName()
                + "' key '" + ref.getKey() + "'", value);
        if (unwritable.isPresent()) {
            return Optional.of(new Problem(Reason.InvalidSecret, unwritable.get()));
        }
        credentials.add(ConfLine.text(prefix + key, value));
        return Optional.empty();
    }

    private Optional<Problem> optionalText(String key, String value, String field) {
        if (value == null) {
            return Optional.empty();
        }
        Optional<Problem> unwritable = LineTerminators.problem(field, value).flatMap(PoolRenderer::invalid);
        if (unwritable.isPresent()) {
            return unwritable;
        }
        conf.add(ConfLine.text(prefix + key, value));
        return Optional.empty();
    }

    private static Optional<Problem> invalid(String message) {
        return Optional.of(new Problem(Reason.InvalidSpec, message));
    }

    private static Optional<Problem> invalidName(String message) {
        return Optional.of(new Problem(Reason.InvalidPoolName, message));
    }
}
