package io.mqttbackends.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.BackendsConfig;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.model.conf.PayloadFormat;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.model.convert.EmqxConverter;
import io.mqttbackends.operator.api.v1alpha1.BackendHook;
import io.mqttbackends.operator.api.v1alpha1.BackendPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code convert} command's promise, end to end: EMQX's five default conf files, converted to YAML, read back
 * into the operator's resource classes, rendered by the operator ({@link NamespaceRenderer}, the Secret's passwords
 * filled in as a user would) and loaded by the runtime's loader, are the configuration the runtime loads from the
 * original files: the same pools with the same settings, the same hooks in the same order with the same actions and
 * options. What differs is what the conversion documents: pool names ({@code pool1} of five databases becomes
 * {@code <database>-pool1}), files and line numbers, and the order between hooks of different databases that share
 * a hook point and a number (the operator writes database by database).
 */
class ConvertRoundTripTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path rendered;

    /** A hook as the runtime runs it, without where it was written. */
    private record Hook(DatabaseKind kind, HookPoint hookPoint, String suffix, Optional<String> topicFilter,
            ActionSpec action, String pool, OfflineOpts offlineOpts, OptionalInt expiredTime,
            Optional<PayloadFormat> payloadFormat) {
        static Hook of(HookConfig h, Function<String, String> poolName) {
            return new Hook(h.kind(), h.hookPoint(), h.suffix(), h.topicFilter(), h.action(),
                    poolName.apply(h.kind() + "." + h.pool()), h.offlineOpts(), h.expiredTime(), h.payloadFormat());
        }
    }

    /** A pool as the runtime opens it: database, name and every setting (defaults included). */
    private record Pool(DatabaseKind kind, String name, Map<String, String> settings) {
    }

    @Test
    void emqxsFiveDefaultConfsConvertedAndRenderedByTheOperatorLoadAsTheOriginalFiles() throws Exception {
        Path defaults = Path.of(Objects.requireNonNull(getClass().getResource("/conf/emqx_backend_redis.conf"))
                .toURI()).getParent();

        System.out.println("convert round trip of EMQX's default confs: " + roundTrip(defaults));
    }

    /** Every field of the resources, each database's options, TLS, topology, pipelines, payload format, options. */
    @Test
    void confsUsingEveryResourceFieldConvertedAndRenderedLoadAsTheOriginalFiles() throws Exception {
        Path dir = Files.createDirectories(rendered.resolve("original"));
        Files.writeString(dir.resolve("emqx_backend_all.conf"), String.join("\n",
                "backend.redis.cache.type = sentinel",
                "backend.redis.cache.server = 10.0.0.1:26379,10.0.0.2:26379",
                "backend.redis.cache.sentinel = mymaster",
                "backend.redis.cache.database = 3",
                "backend.redis.cache.password = redis-secret",
                "backend.redis.cache.channel = control",
                "backend.redis.cache.ssl = true",
                "backend.redis.cache.verify = false",
                "backend.redis.cache.batch_size = 100",
                "backend.redis.cache.batch_time = 5",
                "backend.redis.cache.call_timeout = 2000",
                "backend.redis.hook.message.publish.1 = {\"topic\": \"a/#\", \"action\": {\"commands\": [\"pipeline\", "
                        + "\"SET k:${clientid} ${payload}\", \"EXPIRE k:${clientid} 60\"]}, \"expired_time\": 60, "
                        + "\"pool\": \"cache\"}",
                "backend.mongo.docs.type = rs",
                "backend.mongo.docs.rs_set_name = rs0",
                "backend.mongo.docs.server = 10.0.0.3:27017,10.0.0.4:27017",
                "backend.mongo.docs.c_pool_size = 4",
                "backend.mongo.docs.login = app",
                "backend.mongo.docs.password = mongo-secret",
                "backend.mongo.docs.auth_source = mqtt",
                "backend.mongo.docs.w_mode = safe",
                "backend.mongo.docs.r_mode = master",
                "backend.mongo.topology.pool_size = 4",
                "backend.mongo.topology.heartbeat_frequency_ms = 10000",
                "backend.mongo.hook.message.publish.1 = {\"topic\": \"#\", \"action\": {\"function\": "
                        + "\"on_message_publish\"}, \"payload_format\": \"mongo_json\", \"pool\": \"docs\"}",
                "backend.ecql.wide.nodes = 10.0.0.5:9042,10.0.0.6",
                "backend.ecql.wide.keyspace = iot",
                "backend.ecql.wide.auto_reconnect = 5",
                "backend.ecql.wide.logger = warning",
                "backend.ecql.wide.local_datacenter = dc2",
                "backend.ecql.wide.consistency = QUORUM",
                "backend.ecql.wide.schema.init = true",
                "backend.cassa.hook.session.subscribed.1 = {\"topic\": \"#\", \"action\": {\"function\": "
                        + "\"on_message_fetch\"}, \"offline_opts\": {\"max_returned_count\": 10, \"time_range\": "
                        + "\"1h30m\"}, \"pool\": \"wide\"}",
                "backend.cassa.hook.message.publish.7 = {\"topic\": \"t/+\", \"action\": {\"cql\": [\"insert into "
                        + "t (id, v) values (${clientid}, ${payload})\"]}, \"pool\": \"wide\"}",
                "backend.pgsql.sql.server = db.example:5433",
                "backend.pgsql.sql.username = app",
                "backend.pgsql.sql.ssl = true",
                "backend.pgsql.sql.verify = true",
                "backend.pgsql.sql.cacertfile = /etc/mqttbackends/tls/ca.pem",
                "backend.pgsql.hook.message.publish.2 = {\"topic\": \"x/#\", \"action\": {\"sql\": [\"insert into "
                        + "x (c, p) values (${clientid}, ${payload})\", \"delete from y where c = ${clientid}\"]}, "
                        + "\"pool\": \"sql\"}", ""));

        System.out.println("convert round trip of a conf using every field: " + roundTrip(dir));
    }

    private static Map<String, List<Hook>> byDatabaseAndHookPoint(List<Hook> hooks) {
        return hooks.stream().collect(Collectors.groupingBy(h -> h.kind() + " " + h.hookPoint(), Collectors.toList()));
    }

    /** Converts, renders and loads {@code dir}, asserts the result equals the original, and says what it compared. */
    private String roundTrip(Path dir) throws Exception {
        BackendsConfig original = ConfLoader.load(List.of(dir));
        EmqxConverter.Conversion conversion = EmqxConverter.convert(List.of(dir), Optional.of("iot"));

        List<BackendPool> pools = new ArrayList<>();
        List<BackendHook> hooks = new ArrayList<>();
        List<Secret> secrets = new ArrayList<>();
        for (String document : conversion.yaml().split("(?m)^---\n")) {
            if (document.isBlank()) {
                continue;
            }
            switch (YAML.readTree(document).get("kind").asText()) {
                case "BackendPool" -> pools.add(Serialization.unmarshal(document, BackendPool.class));
                case "BackendHook" -> hooks.add(Serialization.unmarshal(document, BackendHook.class));
                case "Secret" -> secrets.add(Serialization.unmarshal(document, Secret.class));
                default -> throw new AssertionError("unexpected document:\n" + document);
            }
        }
        assertThat(secrets).singleElement().satisfies(secret -> assertThat(secret.getMetadata().getLabels())
                .containsEntry(SecretLookup.LABEL, SecretLookup.LABEL_VALUE));
        Secret secret = secrets.get(0);
        // The user writes the real passwords over the placeholders before applying: here the original files' ones.
        Map<String, String> filled = new HashMap<>(secret.getStringData());
        for (PoolConfig pool : original.pools()) {
            String key = conversion.poolNames().get(pool.qualifiedName()) + "-password";
            if (filled.containsKey(key)) {
                assertThat(filled.get(key)).isEqualTo(EmqxConverter.PASSWORD_PLACEHOLDER);
                filled.put(key, pool.get("password"));
            }
        }
        SecretLookup lookup = name -> name.equals(secret.getMetadata().getName()) ? Optional.of(filled)
                : Optional.empty();

        Rendering rendering = NamespaceRenderer.render("iot", pools, hooks, lookup, DatabaseProfile.availableKinds());

        assertThat(rendering.pools().values()).as("pool verdicts %s", rendering.pools())
                .allSatisfy(v -> assertThat(v.rendered()).isTrue());
        assertThat(rendering.hooks().values()).as("hook verdicts %s", rendering.hooks())
                .allSatisfy(v -> assertThat(v.rendered()).isTrue());
        Files.writeString(rendered.resolve(Rendering.BACKENDS_FILE), rendering.backendsConf());
        Files.writeString(rendered.resolve(Rendering.CREDENTIALS_FILE), rendering.credentialsConf());
        BackendsConfig roundTrip = ConfLoader.load(List.of(rendered));

        Function<String, String> renamed = qualified -> conversion.poolNames().get(qualified);
        Function<String, String> same = qualified -> qualified.substring(qualified.indexOf('.') + 1);
        List<Pool> expectedPools = original.pools().stream()
                .map(p -> new Pool(p.kind(), renamed.apply(p.qualifiedName()), p.settings()))
                .sorted(Comparator.comparing(Pool::name)).toList();
        List<Pool> actualPools = roundTrip.pools().stream().map(p -> new Pool(p.kind(), p.name(), p.settings()))
                .sorted(Comparator.comparing(Pool::name)).toList();
        List<Hook> expectedHooks = original.hooks().stream().map(h -> Hook.of(h, renamed)).toList();
        List<Hook> actualHooks = roundTrip.hooks().stream().map(h -> Hook.of(h, same)).toList();

        assertThat(actualPools).isEqualTo(expectedPools);
        assertThat(actualHooks).containsExactlyInAnyOrderElementsOf(expectedHooks);
        // Run order is the order among the hooks of one database and hook point (EMQX ran each database's hooks
        // from its own plugin): kept exactly. Databases sharing a hook point and <n> come in the rendering's order.
        assertThat(byDatabaseAndHookPoint(actualHooks)).isEqualTo(byDatabaseAndHookPoint(expectedHooks));
        return String.format("%d conf files -> %d BackendPools, %d BackendHooks, Secret %s (%d keys)"
                        + " -> operator rendering (%d + %d lines) -> loader: %d pools with %d settings and %d hooks "
                        + "in run order, equal to the original files' (pool names %s)",
                original.files().size(), pools.size(), hooks.size(), secret.getMetadata().getName(),
                secret.getStringData().size(), rendering.backendsConf().lines().filter(l -> l.startsWith("backend."))
                        .count(),
                rendering.credentialsConf().lines().filter(l -> l.startsWith("backend.")).count(),
                actualPools.size(), actualPools.stream().mapToInt(p -> p.settings().size()).sum(), actualHooks.size(),
                conversion.poolNames());
    }
}
