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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code convert} command's promise, end to end: EMQX's five default conf files, converted to YAML, read back
 * into the operator's resource classes, rendered by the operator ({@link NamespaceRenderer}, the Secret's passwords
 * filled in as a user would) and loaded by the runtime's loader, are the configuration the runtime loads from the
 * original files: the same pools with the same settings, the same hooks in the same order with the same actions and
 * options. What differs is what the conversion documents: pool names ({@code pool1} of five databases becomes
 * {@code <database>-pool1}), files and line numbers.
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
        BackendsConfig original = ConfLoader.load(List.of(defaults));
        EmqxConverter.Conversion conversion = EmqxConverter.convert(List.of(defaults), Optional.of("iot"));

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
        assertThat(secrets).singleElement().satisfies(s -> assertThat(s.getMetadata().getLabels())
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
        assertThat(actualHooks).isEqualTo(expectedHooks);
        System.out.printf("convert round trip: %d conf files -> %d BackendPools, %d BackendHooks, Secret %s (%d keys)"
                        + " -> operator rendering (%d + %d lines) -> loader: %d pools with %d settings and %d hooks "
                        + "in run order, equal to the original files' (pool names %s)%n",
                original.files().size(), pools.size(), hooks.size(), secret.getMetadata().getName(),
                secret.getStringData().size(), rendering.backendsConf().lines().filter(l -> l.startsWith("backend."))
                        .count(),
                rendering.credentialsConf().lines().filter(l -> l.startsWith("backend.")).count(),
                actualPools.size(), actualPools.stream().mapToInt(p -> p.settings().size()).sum(), actualHooks.size(),
                conversion.poolNames());
    }
}
