package io.mqttbackends.runtime.backend.pgsql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.testing.FakePostgres;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.TestPools;
import io.mqttbackends.runtime.testing.TlsTestFiles;
import io.mqttbackends.runtime.testing.TlsTestFiles.ServerCertificate;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An impostor PostgreSQL ({@link FakePostgres}) that offers TLS with a valid certificate for another host and asks for
 * the password in clear text. The Vert.x client cannot refuse cleartext password authentication, so what keeps the
 * password from the impostor is the TLS verification that is now the default: the handshake fails before the impostor
 * can ask. With {@code verify = false}, or without TLS, it gets the password: the risk the documentation names.
 */
class PgsqlCleartextPasswordIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static TlsTestFiles tls;
    private static FakePostgres impostor;
    private Vertx vertx;

    @BeforeAll
    static void startImpostor() {
        tls = TlsTestFiles.make();
        impostor = FakePostgres.start(tls, ServerCertificate.OTHER_HOST);
    }

    @AfterAll
    static void stopImpostor() {
        if (impostor != null) {
            impostor.close();
        }
        if (tls != null) {
            tls.close();
        }
    }

    @BeforeEach
    void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void closeVertx() {
        vertx.close().await().atMost(WAIT);
    }

    @Test
    void withTlsOnAndVerifyByDefaultTheImpostorNeverGetsToAskForThePassword() {
        String password = "secret-default-" + System.nanoTime();
        pingFails(Map.of("ssl", "true", "cacertfile", tls.ca().toString(), "password", password));
        assertThat(impostor.passwords()).as("passwords the impostor received").doesNotContain(password);
    }

    @Test
    void withVerifyFalseOrWithoutTlsTheImpostorGetsThePasswordInClear() {
        String unverified = "secret-unverified-" + System.nanoTime();
        pingFails(Map.of("ssl", "true", "verify", "false", "password", unverified));
        String plain = "secret-plain-" + System.nanoTime();
        pingFails(Map.of("ssl", "false", "password", plain));
        assertThat(impostor.passwords()).as("passwords the impostor received").contains(unverified, plain);
    }

    private void pingFails(Map<String, String> settings) {
        Map<String, String> overrides = new HashMap<>(Map.of("server", "localhost:" + impostor.port(),
                "username", "postgres", "database", "postgres", "call_timeout", "5000"));
        overrides.putAll(settings);
        BackendPool<?> pool = new PgsqlBackend(vertx).open(TestPools.pool1(DatabaseKind.PGSQL, Map.of(), overrides),
                PoolRuns.context());
        try {
            assertThatThrownBy(() -> pool.ping().await().atMost(WAIT)).as("login at the impostor");
        } finally {
            pool.close().await().atMost(WAIT);
        }
    }
}
