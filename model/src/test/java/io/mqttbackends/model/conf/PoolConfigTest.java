package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolConfigTest {
    private static final ConfigLocation AT = new ConfigLocation(Path.of("a.conf"), 3, "backend.redis.p.server");

    private static PoolConfig pool(String server) {
        return new PoolConfig(DatabaseKind.REDIS, "p", Map.of("server", server), Map.of("server", AT), AT);
    }

    @Test
    void serversSplitsTheListAppliesTheDefaultPortAndUnbracketsIpv6() {
        assertThat(pool("db1:7000, db2,[::1]:6380,10.0.0.5").servers("server", 6379)).containsExactly(
                new HostPort("db1", 7000), new HostPort("db2", 6379), new HostPort("::1", 6380),
                new HostPort("10.0.0.5", 6379));
    }

    @Test
    void anEntryThatIsNotHostPortIsAnErrorAtTheKey() {
        assertThatThrownBy(() -> pool("db1:7000,db2:99999").servers("server", 6379))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("a.conf:3: backend.redis.p.server")
                .hasMessageContaining("'db2:99999' is not host[:port]");
    }
}
