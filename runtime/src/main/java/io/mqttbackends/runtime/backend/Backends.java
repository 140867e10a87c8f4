package io.mqttbackends.runtime.backend;

import io.mqttbackends.runtime.config.DatabaseKind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The backends of this build, keyed by database kind. Two beans claiming one kind is a packaging error and fails
 * start; a kind with no bean is reported when the configuration names a pool of it.
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
