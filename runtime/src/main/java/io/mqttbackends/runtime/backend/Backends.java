package io.mqttbackends.runtime.backend;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.FunctionCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The backends of this build, keyed by database kind. Two beans claiming one kind, or a backend whose functions are
 * not exactly its database's {@link FunctionCatalog}, is a packaging error and fails start; a kind with no bean is
 * reported when the configuration names a pool of it.
 */
@ApplicationScoped
public class Backends {
    private final Map<DatabaseKind, Backend> byKind;

    @Inject
    public Backends(@Any Instance<Backend> beans) {
        this(beans.stream().toList());
    }

    public Backends(Iterable<Backend> backends) {
        Map<DatabaseKind, Backend> map = new EnumMap<>(DatabaseKind.class);
        for (Backend b : backends) {
            Set<String> expected = FunctionCatalog.functions(b.kind());
            if (!b.functions().equals(expected)) {
                Set<String> missing = new TreeSet<>(expected);
                missing.removeAll(b.functions());
                Set<String> extra = new TreeSet<>(b.functions());
                extra.removeAll(expected);
                throw new IllegalStateException(b.getClass().getName() + " does not implement the " + b.kind()
                        + " functions: missing " + missing + ", unknown " + extra);
            }
            Backend previous = map.putIfAbsent(b.kind(), b);
            if (previous != null) {
                throw new IllegalStateException("two backends claim database kind '" + b.kind() + "': "
                        + previous.getClass().getName() + " and " + b.getClass().getName());
            }
        }
        this.byKind = Map.copyOf(map);
    }

    public Optional<Backend> forKind(DatabaseKind kind) {
        return Optional.ofNullable(byKind.get(kind));
    }

    public Set<DatabaseKind> available() {
        return byKind.isEmpty() ? Set.of() : Set.copyOf(byKind.keySet());
    }

    @Override
    public String toString() {
        return byKind.keySet().stream().map(DatabaseKind::toString).sorted().collect(Collectors.joining(", "));
    }
}
