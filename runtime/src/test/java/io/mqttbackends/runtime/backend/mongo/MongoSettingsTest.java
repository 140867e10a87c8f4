package io.mqttbackends.runtime.backend.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCredential;
import com.mongodb.ReadPreference;
import com.mongodb.ServerAddress;
import com.mongodb.WriteConcern;
import com.mongodb.connection.ClusterConnectionMode;
import com.mongodb.connection.ClusterType;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.testing.TestPools;
import io.vertx.mutiny.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a mongo pool's keys ({@code backend.mongo.<pool>.*} and {@code backend.mongo.topology.*}) become driver settings. */
class MongoSettingsTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    private static PoolConfig pool(Map<String, String> keys) {
        return TestPools.pool1(DatabaseKind.MONGO, Map.of(), keys);
    }

    private MongoClientSettings settings(Map<String, String> keys) {
        return MongoBackend.settings(pool(keys), vertx);
    }

    @Test
    void typeSingleConnectsToItsOneServerDirectlyWithAcknowledgedWrites() {
        MongoClientSettings s = settings(Map.of("type", "single", "server", "db.example:27018"));

        assertThat(s.getClusterSettings().getMode()).isEqualTo(ClusterConnectionMode.SINGLE);
        assertThat(s.getClusterSettings().getHosts()).containsExactly(new ServerAddress("db.example", 27018));
        assertThat(s.getWriteConcern()).isEqualTo(WriteConcern.W1);
        assertThat(s.getReadPreference()).as("lookups that feed writes read the primary")
                .isEqualTo(ReadPreference.primary());
        assertThat(s.getRetryWrites()).as("the action stage retries, not the driver").isFalse();
        assertThat(s.getCredential()).as("no login").isNull();
        assertThat(s.getSslSettings().isEnabled()).isFalse();
    }

    @Test
    void aServerWithoutPortGetsMongosDefaultPort() {
        assertThat(settings(Map.of("server", "db.example")).getClusterSettings().getHosts())
                .containsExactly(new ServerAddress("db.example", 27017));
    }

    @Test
    void replicaSetShardedAndUnknownTypesRequireTheirClusterAndAMajorityWriteConcern() {
        MongoClientSettings rs = settings(Map.of("type", "rs", "rs_set_name", "testrs",
                "server", "10.0.0.1:27017, 10.0.0.2:27018"));
        assertThat(rs.getClusterSettings().getMode()).isEqualTo(ClusterConnectionMode.MULTIPLE);
        assertThat(rs.getClusterSettings().getRequiredClusterType()).isEqualTo(ClusterType.REPLICA_SET);
        assertThat(rs.getClusterSettings().getRequiredReplicaSetName()).isEqualTo("testrs");
        assertThat(rs.getClusterSettings().getHosts()).containsExactly(new ServerAddress("10.0.0.1", 27017),
                new ServerAddress("10.0.0.2", 27018));
        assertThat(rs.getWriteConcern()).isEqualTo(WriteConcern.MAJORITY);

        MongoClientSettings sharded = settings(Map.of("type", "sharded", "server", "r1:27017,r2:27017"));
        assertThat(sharded.getClusterSettings().getRequiredClusterType()).isEqualTo(ClusterType.SHARDED);
        assertThat(sharded.getWriteConcern()).isEqualTo(WriteConcern.MAJORITY);

        MongoClientSettings unknown = settings(Map.of("type", "unknown", "server", "r1:27017"));
        assertThat(unknown.getClusterSettings().getRequiredClusterType()).isEqualTo(ClusterType.UNKNOWN);
        assertThat(unknown.getWriteConcern()).isEqualTo(WriteConcern.MAJORITY);
    }

    @Test
    void loginPasswordAndAuthSourceMakeTheCredentialWithAdminAsDefaultSource() {
        MongoCredential credential = settings(Map.of("login", "emqx", "password", "s3cret", "auth_source", "mqtt"))
                .getCredential();
        assertThat(credential.getUserName()).isEqualTo("emqx");
        assertThat(credential.getSource()).isEqualTo("mqtt");
        assertThat(credential.getPassword()).containsExactly("s3cret".toCharArray());

        assertThat(settings(Map.of("login", "emqx", "password", "s3cret")).getCredential().getSource())
                .isEqualTo("admin");
    }

    @Test
    void wModeUnsafeIsUnacknowledgedAndRModeSlaveOkPrefersSecondariesForTheFunctionsReads() {
        assertThat(settings(Map.of("w_mode", "unsafe", "type", "rs", "rs_set_name", "x", "server", "a,b"))
                .getWriteConcern()).isEqualTo(WriteConcern.UNACKNOWLEDGED);
        assertThat(MongoBackend.readPreference(pool(Map.of("r_mode", "slave_ok"))))
                .isEqualTo(ReadPreference.secondaryPreferred());
        assertThat(MongoBackend.readPreference(pool(Map.of("r_mode", "master")))).isEqualTo(ReadPreference.primary());
    }

    @Test
    void topologyKeysMapToTheDriversPoolSelectionSocketAndHeartbeatSettings() {
        MongoClientSettings s = settings(Map.ofEntries(
                Map.entry("c_pool_size", "4"),
                Map.entry("topology.pool_size", "20"),
                Map.entry("topology.max_overflow", "5"),
                Map.entry("topology.overflow_ttl", "1500"),
                Map.entry("topology.overflow_check_period", "2500"),
                Map.entry("topology.local_threshold_ms", "35"),
                Map.entry("topology.connect_timeout_ms", "3000"),
                Map.entry("topology.socket_timeout_ms", "4000"),
                Map.entry("topology.server_selection_timeout_ms", "5000"),
                Map.entry("topology.wait_queue_timeout_ms", "6000"),
                Map.entry("topology.heartbeat_frequency_ms", "7000"),
                Map.entry("topology.min_heartbeat_frequency_ms", "800")));

        assertThat(s.getConnectionPoolSettings().getMaxSize()).as("pool_size + max_overflow").isEqualTo(25);
        assertThat(s.getConnectionPoolSettings().getMinSize()).isEqualTo(20);
        assertThat(s.getConnectionPoolSettings().getMaxConnectionIdleTime(TimeUnit.MILLISECONDS)).isEqualTo(1500);
        assertThat(s.getConnectionPoolSettings().getMaintenanceFrequency(TimeUnit.MILLISECONDS)).isEqualTo(2500);
        assertThat(s.getClusterSettings().getLocalThreshold(TimeUnit.MILLISECONDS)).isEqualTo(35);
        assertThat(s.getSocketSettings().getConnectTimeout(TimeUnit.MILLISECONDS)).isEqualTo(3000);
        assertThat(s.getSocketSettings().getReadTimeout(TimeUnit.MILLISECONDS)).isEqualTo(4000);
        assertThat(s.getClusterSettings().getServerSelectionTimeout(TimeUnit.MILLISECONDS)).isEqualTo(5000);
        assertThat(s.getConnectionPoolSettings().getMaxWaitTime(TimeUnit.MILLISECONDS)).isEqualTo(6000);
        assertThat(s.getServerSettings().getHeartbeatFrequency(TimeUnit.MILLISECONDS)).isEqualTo(7000);
        assertThat(s.getServerSettings().getMinHeartbeatFrequency(TimeUnit.MILLISECONDS)).isEqualTo(800);
    }

    @Test
    void withoutTopologyKeysTheTimeoutsFollowCallTimeoutAndThePoolFitsCPoolSize() {
        MongoClientSettings s = settings(Map.of("call_timeout", "5000", "c_pool_size", "6"));

        assertThat(s.getClusterSettings().getServerSelectionTimeout(TimeUnit.MILLISECONDS)).isEqualTo(5000);
        assertThat(s.getSocketSettings().getReadTimeout(TimeUnit.MILLISECONDS)).isEqualTo(5000);
        assertThat(s.getSocketSettings().getConnectTimeout(TimeUnit.MILLISECONDS)).isEqualTo(5000);
        assertThat(s.getConnectionPoolSettings().getMaxWaitTime(TimeUnit.MILLISECONDS)).isEqualTo(5000);
        assertThat(s.getConnectionPoolSettings().getMaxSize()).as("a connection per partition and one for fetches")
                .isEqualTo(7);

        assertThat(settings(Map.of("call_timeout", "60000")).getSocketSettings()
                .getConnectTimeout(TimeUnit.MILLISECONDS)).as("connect timeout capped").isEqualTo(10_000);
    }

    @Test
    void sslVerifiesTheHostNameAlways() {
        MongoClientSettings s = settings(Map.of("ssl", "true"));

        assertThat(s.getSslSettings().isEnabled()).isTrue();
        assertThat(s.getSslSettings().isInvalidHostNameAllowed()).isFalse();
        assertThat(s.getSslSettings().getContext()).as("the JVM's trust store, in a context of the pool's own")
                .isNotNull();
    }
}
