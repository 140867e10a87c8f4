package io.mqttbackends.runtime.backend.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.cql.Row;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.runtime.backend.BatchGuarantee;
import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.backend.PoolTls;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.testing.CassandraTestServer;
import io.mqttbackends.runtime.testing.CassandraTlsProxy;
import io.mqttbackends.runtime.testing.LogCapture;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.TcpProxy;
import io.mqttbackends.runtime.testing.TestCassandra;
import io.mqttbackends.runtime.testing.TestPools;
import io.mqttbackends.runtime.testing.TestRun;
import io.mqttbackends.runtime.testing.TlsTestFiles;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A Cassandra pool's life: ping and writes while the server cannot be reached (a {@link TcpProxy} in front of the
 * shared Cassandra, which is never stopped) and after, a keyspace that does not exist, {@code schema.init}, and TLS
 * through a TLS-terminating proxy ({@link CassandraTlsProxy}: the test server has no TLS).
 *
 * <p>Credentials cannot be tested here: the test server runs with {@code AllowAllAuthenticator}, which accepts any
 * login, so a wrong password is not refused.
 */
class CassandraPoolIT extends CassandraTestSupport {
    /** Short, so that a call to an unreachable server fails in a few seconds rather than the default 10. */
    private static final Map<String, String> FAIL_FAST = Map.of("call_timeout", "3000", "auto_reconnect", "1");

    @Test
    void aPoolIsPerItemAndPingsTheServer() {
        assertThat(pool.traits().guarantee()).isEqualTo(BatchGuarantee.PER_ITEM);
        assertThatCode(() -> pool.ping().await().atMost(WAIT)).doesNotThrowAnyException();
    }

    @Test
    void pingFailsUnavailableOnADeadPortThenSucceedsOnceTheServerIsReachable() {
        try (TcpProxy proxy = new TcpProxy(CassandraTestServer.server().host(), CassandraTestServer.server().port())) {
            CassandraPool late = openExtra(via("127.0.0.1:" + proxy.port(), FAIL_FAST));

            assertThatThrownBy(() -> late.ping().await().atMost(WAIT))
                    .satisfies(e -> assertThat(late.classify(e)).as("ping: %s", e).isEqualTo(FailureClass.UNAVAILABLE));
            assertThatThrownBy(() -> run(late, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"),
                    new ClientConnected(client("c1", 1))))
                    .satisfies(e -> assertThat(late.classify(e)).as("write: %s", e)
                            .isEqualTo(FailureClass.UNAVAILABLE));
            assertThat(rows("SELECT * FROM {ks}.client")).isEmpty();

            proxy.up();
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                    .untilAsserted(() -> assertThatCode(() -> late.ping().await().atMost(WAIT))
                            .doesNotThrowAnyException());
            run(late, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"), new ClientConnected(client("c1", 1)));
            assertThat(rows("SELECT state FROM {ks}.client WHERE clientid = 'c1'")).extracting(r -> r.getInt(0))
                    .containsExactly(1);
        }
    }

    @Test
    void writesDuringAnOutageFailUnavailableAndSucceedAfterIt() {
        try (TcpProxy proxy = new TcpProxy(CassandraTestServer.server().host(), CassandraTestServer.server().port())) {
            proxy.up();
            CassandraPool behind = openExtra(via("127.0.0.1:" + proxy.port(), FAIL_FAST));
            run(behind, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"), new ClientConnected(client("c1", 1)));
            assertThat(proxy.openConnections()).as("the pool's connections go through the proxy").isPositive();

            proxy.down();
            assertThatThrownBy(() -> run(behind, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"),
                    new ClientConnected(client("c2", 1))))
                    .satisfies(e -> assertThat(behind.classify(e)).as("write in the outage: %s", e)
                            .isEqualTo(FailureClass.UNAVAILABLE));
            assertThatThrownBy(() -> behind.ping().await().atMost(WAIT))
                    .satisfies(e -> assertThat(behind.classify(e)).as("ping in the outage: %s", e)
                            .isEqualTo(FailureClass.UNAVAILABLE));
            assertThat(rows("SELECT * FROM {ks}.client WHERE clientid = 'c2'")).isEmpty();

            proxy.up();
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                    .untilAsserted(() -> assertThatCode(() -> run(behind, hook(HookPoint.CLIENT_CONNECTED,
                            "on_client_connected"), new ClientConnected(client("c2", 1)))).doesNotThrowAnyException());
            assertThat(rows("SELECT clientid FROM {ks}.client")).extracting(r -> r.getString(0))
                    .containsExactlyInAnyOrder("c1", "c2");
        }
    }

    @Test
    void aMissingKeyspaceIsUnavailableUntilSchemaInitCreatesItWithTheTablesIdempotently() {
        String name = TestRun.uniqueName();
        try {
            Map<String, String> settings = new HashMap<>(keyspace.poolSettings());
            settings.put("keyspace", name);
            CassandraPool missing = openExtra(TestPools.pool1(DatabaseKind.CASSANDRA, settings, Map.of()));

            assertThatThrownBy(() -> run(missing, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"),
                    new ClientConnected(client("c1", 1))))
                    .satisfies(e -> assertThat(missing.classify(e)).as("%s", e).isEqualTo(FailureClass.UNAVAILABLE));

            missing.initSchema().await().atMost(WAIT);
            Row replication = TestCassandra.rows("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name"
                    + " = ?", name).get(0);
            assertThat(replication.getMap(0, String.class, String.class)).containsEntry("class",
                    "org.apache.cassandra.locator.NetworkTopologyStrategy").containsEntry("datacenter1", "1");
            assertThat(TestCassandra.rows("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", name))
                    .extracting(r -> r.getString(0)).containsExactlyInAnyOrderElementsOf(TABLES);
            run(missing, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"), new ClientConnected(client("c1", 1)));

            missing.initSchema().await().atMost(WAIT);
            assertThat(TestCassandra.rows("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", name))
                    .as("after a second init").hasSize(TABLES.size());
            assertThat(TestCassandra.rows("SELECT state FROM " + name + ".client WHERE clientid = 'c1'"))
                    .as("rows kept by a second init").extracting(r -> r.getInt(0)).containsExactly(1);
        } finally {
            TestCassandra.execute("DROP KEYSPACE IF EXISTS " + name);
        }
    }

    /**
     * What the runtime does at start: readiness pings the pool every 100 ms while {@code schema.init} runs, each
     * attempt within {@code call_timeout}, retried. The keyspace and its tables must come, in a few attempts.
     */
    @Test
    void schemaInitCreatesAMissingKeyspaceWhileReadinessPingsThePool() {
        String name = TestRun.uniqueName();
        java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            Map<String, String> settings = new HashMap<>(keyspace.poolSettings());
            settings.put("keyspace", name);
            CassandraPool missing = openExtra(TestPools.pool1(DatabaseKind.CASSANDRA, settings, Map.of()));
            var pings = io.smallrye.mutiny.Multi.createFrom().ticks().every(Duration.ofMillis(100))
                    .onItem().transformToUniAndConcatenate(t -> missing.ping().onFailure().recoverWithNull())
                    .subscribe().with(ok -> { });
            try {
                io.smallrye.mutiny.Uni.createFrom().deferred(missing::initSchema)
                        .ifNoItem().after(missing.traits().callTimeout()).fail()
                        .onFailure().invoke(f -> failures.add(f.toString()))
                        .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(1)).atMost(10)
                        .await().atMost(Duration.ofSeconds(90));
            } finally {
                pings.cancel();
            }
            assertThat(TestCassandra.rows("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", name))
                    .as("failures %s", failures).extracting(r -> r.getString(0))
                    .containsExactlyInAnyOrderElementsOf(TABLES);
            assertThat(failures).as("attempts that failed").hasSizeLessThanOrEqualTo(2);
        } finally {
            TestCassandra.execute("DROP KEYSPACE IF EXISTS " + name);
        }
    }

    // ------------------------------------------------------------------------------------------------ TLS

    @Test
    void tlsWithVerifyReachesTheServerByTheCertificatesHostName() {
        try (CassandraTlsProxy tls = CassandraTlsProxy.start()) {
            CassandraPool secure = openExtra(via("localhost:" + tls.port(), Map.of("ssl", "true", "verify", "true",
                    "cafile", tls.caFile().toString())));

            assertThatCode(() -> secure.ping().await().atMost(WAIT)).doesNotThrowAnyException();
            run(secure, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"), new ClientConnected(client("tls", 1)));
            assertThat(rows("SELECT state FROM {ks}.client WHERE clientid = 'tls'")).extracting(r -> r.getInt(0))
                    .containsExactly(1);
            assertThat(tls.accepted()).as("connections through the TLS proxy").isPositive();
        }
    }

    @Test
    void tlsWithVerifyRefusesACertificateNotNamingTheAddressAndVerifyFalseAcceptsIt() {
        try (CassandraTlsProxy tls = CassandraTlsProxy.start()) {
            Map<String, String> verified = Map.of("ssl", "true", "verify", "true", "cafile", tls.caFile().toString(),
                    "call_timeout", "3000");
            CassandraPool byAddress = openExtra(via("127.0.0.1:" + tls.port(), verified));
            assertThatThrownBy(() -> byAddress.ping().await().atMost(WAIT))
                    .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1")
                    .satisfies(e -> assertThat(byAddress.classify(e)).as("%s", e).isEqualTo(FailureClass.UNAVAILABLE));

            CassandraPool unverified = openExtra(via("127.0.0.1:" + tls.port(), Map.of("ssl", "true", "verify",
                    "false")));
            assertThatCode(() -> unverified.ping().await().atMost(WAIT)).doesNotThrowAnyException();
            run(unverified, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"),
                    new ClientConnected(client("any", 1)));
            assertThat(rows("SELECT state FROM {ks}.client WHERE clientid = 'any'")).hasSize(1);
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefusedByDefaultWithOneWarningAndAcceptedOnlyWithVerifyFalse() {
        try (CassandraTlsProxy tls = CassandraTlsProxy.start(TlsTestFiles.OTHER_HOST);
                LogCapture log = LogCapture.of(PoolTls.class)) {
            CassandraPool byDefault = openExtra(via("localhost:" + tls.port(), Map.of("ssl", "true",
                    "cafile", tls.caFile().toString(), "call_timeout", "3000")));
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> byDefault.ping().await().atMost(WAIT))
                        .satisfies(e -> assertThat(byDefault.classify(e)).as("%s", e)
                                .isEqualTo(FailureClass.UNAVAILABLE));
            }
            assertThatThrownBy(() -> PoolRuns.run(byDefault, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"),
                    new ClientConnected(client("other-host", 1))).await().atMost(WAIT));
            assertThat(rows("SELECT state FROM {ks}.client WHERE clientid = 'other-host'"))
                    .as("written through refused TLS").isEmpty();
            assertThat(log.at("WARN")).as("WARN lines").hasSize(1).first().asString()
                    .startsWith("pool cassa.pool1: TLS to localhost:" + tls.port() + " failed: ")
                    .contains("No subject alternative DNS name matching localhost found");

            CassandraPool optedOut = openExtra(via("localhost:" + tls.port(), Map.of("ssl", "true", "verify",
                    "false", "cafile", tls.caFile().toString())));
            run(optedOut, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"),
                    new ClientConnected(client("other-host", 1)));
            assertThat(rows("SELECT state FROM {ks}.client WHERE clientid = 'other-host'")).hasSize(1);
            assertThat(log.at("WARN")).as("the opt-out, said at load")
                    .anySatisfy(l -> assertThat(l).contains("pool cassa.pool1: verify = false"));
        }
    }

    @Test
    void tlsWithVerifyRefusesAServerSignedByAnotherCa() {
        try (CassandraTlsProxy tls = CassandraTlsProxy.start(); CassandraTlsProxy other = CassandraTlsProxy.start()) {
            CassandraPool wrongCa = openExtra(via("localhost:" + tls.port(), Map.of("ssl", "true", "verify", "true",
                    "cafile", other.caFile().toString(), "call_timeout", "3000")));
            assertThatThrownBy(() -> wrongCa.ping().await().atMost(WAIT))
                    .hasMessageContaining("PKIX path validation failed")
                    .satisfies(e -> assertThat(wrongCa.classify(e)).as("%s", e).isEqualTo(FailureClass.UNAVAILABLE));
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private PoolConfig via(String nodes, Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(keyspace.poolSettings());
        settings.put("nodes", nodes);
        return TestPools.pool1(DatabaseKind.CASSANDRA, settings, overrides);
    }
}
