package io.mqttbackends.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.FunctionCatalog;
import io.mqttbackends.model.conf.PoolConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackendsTest {

    private static Backend backendOf(DatabaseKind kind) {
        return backendOf(kind, FunctionCatalog.functions(kind));
    }

    private static Backend backendOf(DatabaseKind kind, Set<String> functions) {
        return new Backend() {
            @Override
            public DatabaseKind kind() {
                return kind;
            }

            @Override
            public Set<String> functions() {
                return functions;
            }

            @Override
            public BackendPool<?> open(PoolConfig config, PoolContext context) {
                throw new AssertionError("not opened in this test");
            }
        };
    }

    @Test
    void findsEachBackendByItsKind() {
        Backend pg = backendOf(DatabaseKind.PGSQL);
        Backends backends = new Backends(List.of(pg, backendOf(DatabaseKind.REDIS)));
        assertThat(backends.forKind(DatabaseKind.PGSQL)).containsSame(pg);
        assertThat(backends.forKind(DatabaseKind.MYSQL)).isEmpty();
        assertThat(backends.available()).containsExactlyInAnyOrder(DatabaseKind.PGSQL, DatabaseKind.REDIS);
    }

    @Test
    void aBackendMissingAFunctionOfItsDatabaseFailsNamingIt() {
        Set<String> incomplete = new HashSet<>(FunctionCatalog.functions(DatabaseKind.PGSQL));
        incomplete.remove("on_message_fetch");
        incomplete.add("on_message_fetch_for_queue");
        assertThatThrownBy(() -> new Backends(List.of(backendOf(DatabaseKind.PGSQL, incomplete))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("missing [on_message_fetch]")
                .hasMessageContaining("unknown [on_message_fetch_for_queue]");
    }

    @Test
    void twoBackendsClaimingOneKindFailWithBothNamed() {
        assertThatThrownBy(() -> new Backends(List.of(backendOf(DatabaseKind.PGSQL), backendOf(DatabaseKind.PGSQL))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two backends claim database kind 'pgsql'");
    }
}
