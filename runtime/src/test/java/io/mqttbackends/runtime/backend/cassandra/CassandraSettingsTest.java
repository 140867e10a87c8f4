package io.mqttbackends.runtime.backend.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import com.datastax.oss.driver.internal.core.connection.ConstantReconnectionPolicy;
import com.datastax.oss.driver.internal.core.connection.ExponentialReconnectionPolicy;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.testing.TestPools;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The driver settings a pool's keys make ({@link CassandraBackend#driverConfig}); no server needed. */
class CassandraSettingsTest {

    @Test
    void theRequestTimeoutIsTheCallTimeoutAndConsistencyAndPoolSizeAreThePools() {
        DriverExecutionProfile profile = profile(Map.of("call_timeout", "2500", "consistency", "ONE", "size", "3"));

        assertThat(profile.getDuration(DefaultDriverOption.REQUEST_TIMEOUT)).isEqualTo(Duration.ofMillis(2500));
        assertThat(profile.getString(DefaultDriverOption.REQUEST_CONSISTENCY)).isEqualTo("ONE");
        assertThat(profile.getInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE)).isEqualTo(3);
        assertThat(profile.getInt(DefaultDriverOption.CONNECTION_POOL_REMOTE_SIZE)).isEqualTo(3);
        assertThat(profile.getDuration(DefaultDriverOption.HEARTBEAT_INTERVAL)).as("silent connections probed")
                .isEqualTo(Duration.ofMillis(2500));
        assertThat(profile.getDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT))
                .as("connecting is bounded by the call timeout below 10 s").isEqualTo(Duration.ofMillis(2500));
        assertThat(profile.getBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE)).isTrue();
        assertThat(profile.getString(DefaultDriverOption.SESSION_NAME)).isEqualTo("cassa.pool1");
    }

    @Test
    void theDefaultsAreLocalQuorumEightConnectionsAndATenSecondCall() {
        DriverExecutionProfile profile = profile(Map.of());

        assertThat(profile.getString(DefaultDriverOption.REQUEST_CONSISTENCY)).isEqualTo("LOCAL_QUORUM");
        assertThat(profile.getInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE)).isEqualTo(8);
        assertThat(profile.getDuration(DefaultDriverOption.REQUEST_TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
        assertThat(profile.getDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aLongCallTimeoutStillConnectsWithinTenSeconds() {
        DriverExecutionProfile profile = profile(Map.of("call_timeout", "60000"));

        assertThat(profile.getDuration(DefaultDriverOption.REQUEST_TIMEOUT)).isEqualTo(Duration.ofMinutes(1));
        assertThat(profile.getDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
        assertThat(profile.getDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT))
                .isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void autoReconnectNIsAConstantDelayOfNSeconds() {
        DriverExecutionProfile profile = profile(Map.of("auto_reconnect", "7"));

        assertThat(profile.getString(DefaultDriverOption.RECONNECTION_POLICY_CLASS))
                .isEqualTo(ConstantReconnectionPolicy.class.getName());
        assertThat(profile.getDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY)).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void autoReconnectZeroIsTheDriversBackoffFromOneToSixtySeconds() {
        DriverExecutionProfile profile = profile(Map.of("auto_reconnect", "0"));

        assertThat(profile.getString(DefaultDriverOption.RECONNECTION_POLICY_CLASS))
                .isEqualTo(ExponentialReconnectionPolicy.class.getName());
        assertThat(profile.getDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY)).isEqualTo(Duration.ofSeconds(1));
        assertThat(profile.getDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY)).isEqualTo(Duration.ofSeconds(60));
    }

    private static DriverExecutionProfile profile(Map<String, String> overrides) {
        DriverConfigLoader loader = CassandraBackend.driverConfig(TestPools.pool1(DatabaseKind.CASSANDRA, Map.of(),
                overrides)).build();
        try {
            return loader.getInitialConfig().getDefaultProfile();
        } finally {
            loader.close();
        }
    }
}
