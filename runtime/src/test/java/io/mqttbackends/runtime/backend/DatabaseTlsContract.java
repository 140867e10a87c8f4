package io.mqttbackends.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigLocation;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.testing.LogCapture;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.TestPools;
import io.mqttbackends.runtime.testing.TestRun;
import io.mqttbackends.runtime.testing.TlsTestFiles;
import io.mqttbackends.runtime.testing.TlsTestFiles.ServerCertificate;
import io.vertx.mutiny.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TLS of a pool towards a real private server of its database that presents, as each test chooses, a certificate for
 * {@code localhost} (the name the pool connects to) or a valid one for another host ({@link TlsTestFiles#OTHER_HOST}),
 * both signed by the test's CA. With {@code ssl} on, the certificate and its host name are verified unless the pool
 * says {@code verify = false}: a refused server gets no write (checked on the server), the pool is not up (its ping
 * fails, as readiness sees it), its failure is "unavailable" (events wait), and one WARN line names the pool, the
 * address and the reason, however often the pool is called.
 *
 * <p>A subclass starts the server once per class ({@link #keepForClass}) with the class's {@link #tlsFiles} and says
 * how to reach and inspect it.
 */
public abstract class DatabaseTlsContract {
    protected static final Duration WAIT = Duration.ofSeconds(20);
    private static TlsTestFiles files;
    private static AutoCloseable server;

    private Vertx vertx;
    private LogCapture log;
    private final List<BackendPool<?>> opened = new java.util.ArrayList<>();

    protected abstract DatabaseKind kind();

    /** A backend of the kind on {@code vertx}. */
    protected abstract Backend backend(Vertx vertx);

    /** Has the class's server present {@code which} to new connections. */
    protected abstract void serve(ServerCertificate which);

    /** The pool keys reaching the class's server as {@code localhost} with its credentials, TLS not yet on. */
    protected abstract Map<String, String> serverSettings();

    /** The statements of a hook that records {@code ${clientid}} (a row, a key). */
    protected abstract ActionSpec.Statements recordClientid();

    /** Whether the server holds what {@link #recordClientid} wrote for {@code clientid}, asked without the pool. */
    protected abstract boolean recorded(String clientid);

    /** Where on the server TLS is, for the log line: {@code localhost:<port>}. */
    protected abstract String address();

    /** Runs before the subclass's {@code @BeforeAll}, which starts its server with these files. */
    @BeforeAll
    static void makeTlsFiles() {
        files = TlsTestFiles.make();
    }

    /** Runs after the subclass's {@code @AfterAll}s. */
    @AfterAll
    static void stopServerAndDeleteTlsFiles() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            server = null;
            files.close();
        }
    }

    /** The class's TLS files: the test CA, both server certificates, an unrelated CA. */
    protected static TlsTestFiles tlsFiles() {
        return files;
    }

    /** {@code started}, stopped after the class's last test. */
    protected static <T extends AutoCloseable> T keepForClass(T started) {
        server = started;
        return started;
    }

    @BeforeEach
    void open() {
        vertx = Vertx.vertx();
        log = LogCapture.of(PoolTls.class);
    }

    @AfterEach
    void closeAll() {
        log.close();
        opened.forEach(p -> p.close().await().atMost(WAIT));
        opened.clear();
        vertx.close().await().atMost(WAIT);
    }

    @Test
    void aCertificateForAnotherHostIsRefusedByDefault() {
        serve(ServerCertificate.OTHER_HOST);
        refusedForTheHostName(Map.of("ssl", "true", caKey(), tlsFiles().ca().toString()));
    }

    @Test
    void aCertificateForAnotherHostIsRefusedWithVerifyTrue() {
        serve(ServerCertificate.OTHER_HOST);
        refusedForTheHostName(Map.of("ssl", "true", "verify", "true", caKey(), tlsFiles().ca().toString()));
    }

    @Test
    void aCertificateForAnotherHostIsAcceptedOnlyWithAnExplicitVerifyFalse() {
        serve(ServerCertificate.OTHER_HOST);
        BackendPool<?> pool = open(Map.of("ssl", "true", "verify", "false", caKey(), tlsFiles().ca().toString()));
        String clientid = write(pool);
        assertThat(recorded(clientid)).as("written through TLS with verify = false").isTrue();
        assertThat(log.at("WARN")).as("the opt-out, said at load")
                .anySatisfy(l -> assertThat(l).contains("pool " + poolName() + ": verify = false")
                        .contains("any server certificate").contains(caKey() + " is not used"))
                .noneSatisfy(l -> assertThat(l).contains("TLS to"));
    }

    @Test
    void theLocalhostCertificateSignedByTheGivenCaIsAccepted() {
        serve(ServerCertificate.LOCALHOST);
        BackendPool<?> pool = open(Map.of("ssl", "true", caKey(), tlsFiles().ca().toString()));
        pool.ping().await().atMost(WAIT);
        String clientid = write(pool);
        assertThat(recorded(clientid)).as("written through verified TLS").isTrue();
        assertThat(log.at("WARN")).as("warnings of a verified pool").isEmpty();
    }

    @Test
    void aServerSignedByAnotherCaIsRefused() {
        serve(ServerCertificate.LOCALHOST);
        refused(Map.of("ssl", "true", caKey(), tlsFiles().unrelatedCa().toString()), "PKIX path");
    }

    @Test
    void withoutACaFileTheJvmTrustStoreDecidesAndRefusesTheTestCa() {
        serve(ServerCertificate.LOCALHOST);
        refused(Map.of("ssl", "true"), "PKIX path");
    }

    private void refusedForTheHostName(Map<String, String> tlsSettings) {
        refused(tlsSettings, "No subject alternative DNS name matching localhost found");
    }

    /**
     * The pool is not up, its write fails as "unavailable" and reaches nothing, and exactly one WARN line names the
     * pool, the address and {@code reason}, whatever the number of failed calls.
     */
    private void refused(Map<String, String> tlsSettings, String reason) {
        BackendPool<?> pool = open(tlsSettings);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> pool.ping().await().atMost(WAIT)).as("ping through refused TLS")
                    .satisfies(e -> assertThat(pool.classify(e)).as("%s", e).isEqualTo(FailureClass.UNAVAILABLE))
                    .satisfies(e -> assertThat(PoolTls.failureReason(e)).as("the TLS reason in %s", e)
                            .hasValueSatisfying(r -> assertThat(r).contains(reason)));
        }
        String clientid = "tls-" + TestRun.uniqueName();
        assertThatThrownBy(() -> PoolRuns.run(pool, hook(), new ClientConnected(client(clientid)))
                .await().atMost(WAIT))
                .satisfies(e -> assertThat(pool.classify(e)).as("%s", e).isEqualTo(FailureClass.UNAVAILABLE));
        assertThat(recorded(clientid)).as("written through refused TLS").isFalse();
        assertThat(log.at("WARN")).as("WARN lines").hasSize(1).first().asString()
                .startsWith("pool " + poolName() + ": TLS to " + address() + " failed: ")
                .contains(reason)
                .doesNotContain(serverSettings().getOrDefault("password", "no password here"));
    }

    private String write(BackendPool<?> pool) {
        String clientid = "tls-" + TestRun.uniqueName();
        PoolRuns.run(pool, hook(), new ClientConnected(client(clientid))).await().atMost(WAIT);
        return clientid;
    }

    private BackendPool<?> open(Map<String, String> tlsSettings) {
        Map<String, String> overrides = new HashMap<>(serverSettings());
        overrides.putAll(tlsSettings);
        // Failures are to surface quickly: a refused handshake is retried by readiness and the action stage anyway.
        overrides.put("call_timeout", "5000");
        BackendPool<?> pool = backend(vertx).open(TestPools.pool1(kind(), Map.of(), overrides), PoolRuns.context());
        opened.add(pool);
        return pool;
    }

    private HookConfig hook() {
        return new HookConfig(kind(), HookPoint.CLIENT_CONNECTED, "1", Optional.of("#"), recordClientid(), "pool1",
                OfflineOpts.NONE, OptionalInt.empty(), Optional.empty(),
                new ConfigLocation(Path.of(kind().poolPrefix() + ".conf"), 1, "backend." + kind() + ".hook"));
    }

    private String caKey() {
        return DatabaseProfile.of(kind()).caFileKey();
    }

    private String poolName() {
        return kind() + ".pool1";
    }

    private static ClientInfo client(String clientid) {
        return new ClientInfo(clientid, Optional.empty(), Optional.empty(), "emqx@127.0.0.1",
                System.currentTimeMillis());
    }
}
