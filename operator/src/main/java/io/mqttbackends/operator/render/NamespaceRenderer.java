package io.mqttbackends.operator.render;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.operator.api.v1alpha1.BackendHook;
import io.mqttbackends.operator.api.v1alpha1.BackendPool;
import io.mqttbackends.operator.api.v1alpha1.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Renders all BackendPools and BackendHooks of one namespace into the runtime's two conf files. Resources that do
 * not validate are left out with their reason, so one bad resource never makes the runtime reject the rest. The
 * output is deterministic (pools by name, then the global settings such as mongo's topology by key, each once, then
 * hooks by database, hook point and order), so an unchanged set of resources always yields the same hash.
 */
public final class NamespaceRenderer {

    private static final Comparator<HasMetadata> FIRST_CREATED = Comparator
            .comparing((HasMetadata r) -> Objects.requireNonNullElse(r.getMetadata().getCreationTimestamp(), ""))
            .thenComparing(r -> r.getMetadata().getName());

    private NamespaceRenderer() {
    }

    /**
     * @param pools             the namespace's BackendPools not being deleted
     * @param hooks             the namespace's BackendHooks not being deleted
     * @param secrets           the namespace's Secrets
     * @param availableBackends the database kinds the runtime has a backend for; pools of others are not valid
     */
    public static Rendering render(String namespace, List<BackendPool> pools, List<BackendHook> hooks,
            SecretLookup secrets, Set<DatabaseKind> availableBackends) {
        RuntimeValidation validation = new RuntimeValidation(availableBackends);
        Map<String, PoolRenderer.Outcome> poolOutcomes = new TreeMap<>();
        for (BackendPool pool : pools) {
            poolOutcomes.put(pool.getMetadata().getName(), PoolRenderer.render(pool, secrets, validation));
        }
        // Before the hooks: a pool refused for its global settings makes its hooks PoolNotValid.
        List<ConfLine> globalLines = globalSettings(pools, poolOutcomes);
        Map<String, Verdict> hookVerdicts = new TreeMap<>();
        Map<HookRenderer.Slot, List<BackendHook>> bySlot = new TreeMap<>(Comparator
                .comparing((HookRenderer.Slot s) -> s.type().hookPrefix())
                .thenComparing(HookRenderer.Slot::hookPoint)
                .thenComparingInt(HookRenderer.Slot::order));
        Map<String, ConfLine> hookLines = new LinkedHashMap<>();
        for (BackendHook hook : hooks) {
            HookRenderer.Outcome outcome = HookRenderer.render(hook, poolOutcomes, validation);
            hookVerdicts.put(hook.getMetadata().getName(), outcome.verdict());
            outcome.slot().ifPresent(slot -> bySlot.computeIfAbsent(slot, s -> new ArrayList<>()).add(hook));
            outcome.line().ifPresent(line -> hookLines.put(hook.getMetadata().getName(), line));
        }
        List<ConfLine> renderedHooks = new ArrayList<>();
        bySlot.forEach((slot, claimants) -> {
            claimants.sort(FIRST_CREATED);
            BackendHook winner = claimants.get(0);
            renderedHooks.add(hookLines.get(winner.getMetadata().getName()));
            for (BackendHook loser : claimants.subList(1, claimants.size())) {
                hookVerdicts.put(loser.getMetadata().getName(), Verdict.rejected(new Problem(Reason.OrderConflict,
                        "spec.order " + slot.order() + " of " + slot.hookPoint().confName() + " on "
                                + slot.type().crName() + " pools is taken by BackendHook '"
                                + winner.getMetadata().getName() + "'")));
            }
        });

        StringBuilder conf = new StringBuilder(header(namespace, "BackendPool and BackendHook"));
        StringBuilder credentials = new StringBuilder(header(namespace, "BackendPool credentials"));
        poolOutcomes.values().forEach(outcome -> {
            outcome.conf().forEach(line -> conf.append(line).append('\n'));
            outcome.credentials().forEach(line -> credentials.append(line).append('\n'));
        });
        globalLines.forEach(line -> conf.append(line).append('\n'));
        renderedHooks.forEach(line -> conf.append(line).append('\n'));

        Map<String, Verdict> poolVerdicts = poolOutcomes.entrySet().stream().collect(Collectors.toMap(
                Map.Entry::getKey, e -> e.getValue().verdict(), (a, b) -> a, TreeMap::new));
        String backends = conf.toString();
        String creds = credentials.toString();
        return new Rendering(backends, creds, Rendering.hash(backends, creds), poolVerdicts, hookVerdicts);
    }

    /**
     * The global settings (mongo's {@code backend.mongo.topology.*}) the valid pools give, each written once. Pools
     * are taken in creation order: the first to give a setting fixes its value, a later pool giving another value
     * is refused with {@link Reason#TopologyConflict} (its outcome replaced), and one giving the same value is fine.
     * The lines come sorted by key, so which pool gave a value never changes the files.
     */
    private static List<ConfLine> globalSettings(List<BackendPool> pools, Map<String, PoolRenderer.Outcome> outcomes) {
        Map<String, ConfLine> lines = new TreeMap<>();
        Map<String, String> givenBy = new TreeMap<>();
        for (BackendPool pool : pools.stream().sorted(FIRST_CREATED).toList()) {
            String name = pool.getMetadata().getName();
            PoolRenderer.Outcome outcome = outcomes.get(name);
            if (!outcome.verdict().rendered() || outcome.global().isEmpty()) {
                continue;
            }
            Optional<String> conflict = outcome.global().stream()
                    .filter(line -> lines.containsKey(line.key()) && !lines.get(line.key()).equals(line))
                    .findFirst()
                    .map(line -> line.key() + " = " + line.value() + " conflicts with " + lines.get(line.key()).value()
                            + " given by BackendPool '" + givenBy.get(line.key()) + "' (created first); these settings "
                            + "are global in the runtime, one value for all " + outcome.type().crName() + " pools");
            if (conflict.isPresent()) {
                outcomes.put(name, outcome.rejected(new Problem(Reason.TopologyConflict, "spec."
                        + outcome.type().crName() + ".topology: " + conflict.get())));
                continue;
            }
            outcome.global().forEach(line -> {
                lines.putIfAbsent(line.key(), line);
                givenBy.putIfAbsent(line.key(), name);
            });
        }
        return List.copyOf(lines.values());
    }

    private static String header(String namespace, String what) {
        return "# Rendered by the mqttbackends operator from the " + what + " resources of namespace " + namespace
                + ".\n# Do not edit: the operator overwrites this file.\n";
    }

    /** The verdict of a resource by kind and name, for callers holding either kind. */
    public static Optional<Verdict> verdictOf(Rendering rendering, HasMetadata resource) {
        Map<String, Verdict> verdicts = resource instanceof BackendPool ? rendering.pools() : rendering.hooks();
        return Optional.ofNullable(verdicts.get(resource.getMetadata().getName()));
    }
}
