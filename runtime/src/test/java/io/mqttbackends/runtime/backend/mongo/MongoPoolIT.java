package io.mqttbackends.runtime.backend.mongo;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.BatchGuarantee;
import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.backend.PoolTls;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.testing.FreePort;
import io.mqttbackends.runtime.testing.LogCapture;
import io.mqttbackends.runtime.testing.MongoTestServer;
import io.mqttbackends.runtime.testing.MongoTlsStandIn;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.TestMongo;
import io.mqttbackends.runtime.testing.TlsTestFiles;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIf;

/**
 * A MongoDB pool's life: ping against a dead and then a live server, how failures are classified, where it writes,
 * the write and read modes, bad settings, and TLS against a private TLS stand-in (certificate and host name
 * verification).
 */
class MongoPoolIT extends MongoTestSupport {
    /** Short enough that a test waiting for an unreachable server spends a second or two, not the driver's 30 s. */
    private static final Map<String, String> FAIL_FAST = Map.of("topology.server_selection_timeout_ms", "1500",
            "topology.connect_timeout_ms", "1500");

    @Test
    void aPoolIsPerItemAndPingsARunningServer() {
        assertThat(pool.traits().guarantee()).isEqualTo(BatchGuarantee.PER_ITEM);
        assertThatCode(() -> pool.ping().await().atMost(WAIT)).doesNotThrowAnyException();
    }

    @Test
    void thePoolWritesIntoItsConfiguredDatabaseOnly() {
        String clientid = "db-probe-" + database.name();
        connect(clientid, 1);

        assertThat(probes.online(clientid)).contains(true);
        assertThat(TestMongo.database("mqtt").getCollection("mqtt_client").find(eq("clientid", clientid)).first())
                .as("the default database").isNull();
    }

    @Test
    void pingFailsUnavailableOnADeadPortAndSucceedsOnceAServerListensThere() {
        int port = FreePort.find();
        BackendPool<?> late = openPool(with(FAIL_FAST, "server", "127.0.0.1:" + port, "login", "", "password", ""));

        assertThatThrownBy(() -> late.ping().await().atMost(WAIT))
                .satisfies(e -> assertThat(late.classify(e)).as("ping refused: %s", e)
                        .isEqualTo(FailureClass.UNAVAILABLE));
        assertThatThrownBy(() -> run(late, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"),
                new ClientConnected(client("c1", 1))))
                .satisfies(e -> assertThat(late.classify(e)).as("write refused: %s", e)
                        .isEqualTo(FailureClass.UNAVAILABLE));

        MongoServer server = new MongoServer(new MemoryBackend());
        try {
            server.bind("127.0.0.1", port);
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThatCode(() -> late.ping().await().atMost(WAIT))
                            .doesNotThrowAnyException());
            run(late, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"), new ClientConnected(client("c1", 1)));
            try (MongoClient direct = MongoClients.create("mongodb://127.0.0.1:" + port)) {
                assertThat(direct.getDatabase(database.name()).getCollection("mqtt_client")
                        .find(eq("clientid", "c1")).first()).as("written once the server is up").isNotNull();
            }
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void aDocumentOverSixteenMebibytesIsPermanentAndThePoolGoesOn() {
        byte[] huge = new byte[17 << 20];
        new Random(7).nextBytes(huge);

        assertThatThrownBy(() -> store(message("huge", "t/huge", huge, 1)))
                .satisfies(e -> assertThat(pool.classify(e)).as("too large: %s", e)
                        .isEqualTo(FailureClass.PERMANENT));

        store(message("small", "t/huge", "x", 1));
        assertThat(probes.storedMsgids("t/huge")).containsExactly("small");
    }

    @Test
    void slaveOkReadsWorkOnASingleServer() {
        BackendPool<?> relaxed = openPool(Map.of("r_mode", "slave_ok"));
        assertThat(run(relaxed, hook(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch"),
                subscribed("sub", "t/relaxed"))).isEqualTo(ActionOutcome.NONE);
        store(message("m1", "t/relaxed", "x", System.currentTimeMillis()));
        probes.storeSubscription("c1", "t/relaxed", 1);

        assertThat(deliveredIds(run(relaxed, hook(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch"),
                subscribed("sub", "t/relaxed")), "sub")).containsExactly("m1");
        assertThat(run(relaxed, hook(HookPoint.CLIENT_CONNECTED, "on_subscribe_lookup"),
                new ClientConnected(client("c1", 1)))).isInstanceOf(ActionOutcome.SubscribeClient.class);
    }

    /**
     * mongo-java-server closes the connection on an unacknowledged write (OP_MSG with moreToCome: "flags=2 not yet
     * supported"), so this runs only against a real MongoDB ({@value MongoTestServer#URI_VARIABLE}).
     */
    @Test
    @DisabledIf(value = "io.mqttbackends.runtime.testing.MongoTestServer#isStandIn",
            disabledReason = "the MongoDB stand-in cannot take unacknowledged writes; set "
                    + MongoTestServer.URI_VARIABLE + " to run it against a real MongoDB")
    void unsafeWritesAreStoredWithoutWaitingForTheServer() {
        BackendPool<?> unsafe = openPool(Map.of("w_mode", "unsafe"));
        run(unsafe, hook(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch"), subscribed("sub", "t/unsafe"));
        Message m = message("m1", "t/unsafe", "x", System.currentTimeMillis());
        run(unsafe, hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"), publish(m));
        run(unsafe, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"), new ClientConnected(client("c1", 1)));

        // Unacknowledged: the calls return before the server applied them.
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(probes.storedMsgids("t/unsafe")).containsExactly("m1");
            assertThat(probes.online("c1")).contains(true);
        });
        assertThat(probes.messagesWithMsgid("m1").get(0).get("_id")).isEqualTo(1L);
    }

    @Test
    void unreadableOrUnusableTlsFilesAreConfigErrorsAtTheirKey() {
        List<Map.Entry<String, Map<String, String>>> bad = List.of(
                Map.entry("cacertfile", Map.of("ssl", "true", "cacertfile", "/no/such/ca.pem")),
                // Readable, but not a certificate: a wrong path, better found at load than at every connect.
                Map.entry("cacertfile", Map.of("ssl", "true", "cacertfile", "/etc/hostname")),
                Map.entry("certfile", Map.of("ssl", "true", "certfile", "/no/such/cert.pem", "keyfile",
                        "/etc/hostname")));
        for (Map.Entry<String, Map<String, String>> entry : bad) {
            assertThatThrownBy(() -> backend.open(poolConfig(entry.getValue()), PoolRuns.context()))
                    .as("%s", entry.getValue())
                    .isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertThat(((ConfigException) e).errors().get(0).location().key())
                            .isEqualTo("backend.mongo.pool1." + entry.getKey()));
        }
    }

    // ------------------------------------------------------------------------------------------------ TLS

    @Test
    void withSslAPoolVerifiesTheServerCertificateAgainstTheCaAndTheHostName() {
        try (MongoTlsStandIn tls = MongoTlsStandIn.start(); MongoClient inspect = tls.client()) {
            Map<String, String> trusted = with(FAIL_FAST, "ssl", "true", "cacertfile", tls.caFile().toString(),
                    "server", "localhost:" + tls.port(), "login", "", "password", "", "type", "single");

            BackendPool<?> good = openPool(trusted);
            assertThatCode(() -> good.ping().await().atMost(WAIT)).as("localhost, trusted CA")
                    .doesNotThrowAnyException();
            run(good, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"), new ClientConnected(client("c1", 1)));
            run(good, hook(HookPoint.MESSAGE_PUBLISH, "on_message_publish"), publish(message("m1", "t", "x", 1)));
            var db = inspect.getDatabase(database.name());
            assertThat(db.getCollection("mqtt_client").find(eq("clientid", "c1")).first()).isNotNull()
                    .satisfies(d -> assertThat(d.get("state")).isEqualTo(1));
            assertThat(db.getCollection("mqtt_msg").find(eq("msgid", "m1")).first()).isNotNull();

            MongoTlsStandIn.ClientCertificate pkcs1 = tls.clientCertificate();
            BackendPool<?> withCertificate = openPool(with(trusted, "certfile", pkcs1.certfile().toString(),
                    "keyfile", pkcs1.keyfile().toString()));
            assertThatCode(() -> withCertificate.ping().await().atMost(WAIT))
                    .as("with a client certificate whose key is PKCS#1 PEM").doesNotThrowAnyException();

            BackendPool<?> byAddress = openPool(with(trusted, "server", "127.0.0.1:" + tls.port()));
            assertThatThrownBy(() -> byAddress.ping().await().atMost(WAIT))
                    .as("127.0.0.1, which the certificate does not name")
                    .satisfies(e -> assertThat(byAddress.classify(e)).isEqualTo(FailureClass.UNAVAILABLE))
                    .satisfies(e -> assertThat(causes(e)).contains("SSLHandshakeException"));

            Map<String, String> untrusted = new HashMap<>(trusted);
            untrusted.remove("cacertfile");
            BackendPool<?> unknownCa = openPool(untrusted);
            assertThatThrownBy(() -> unknownCa.ping().await().atMost(WAIT))
                    .as("without cacertfile: the JVM's trust store does not know the CA")
                    .satisfies(e -> assertThat(unknownCa.classify(e)).isEqualTo(FailureClass.UNAVAILABLE))
                    .satisfies(e -> assertThat(causes(e)).contains("SSLHandshakeException"));
        }
    }

    @Test
    void withSslAServerCertificateForAnotherHostIsRefusedWithOneWarningAndNothingWritten() {
        try (MongoTlsStandIn tls = MongoTlsStandIn.start(TlsTestFiles.OTHER_HOST); MongoClient inspect = tls.client();
                LogCapture log = LogCapture.of(PoolTls.class)) {
            BackendPool<?> pool = openPool(with(FAIL_FAST, "ssl", "true", "cacertfile", tls.caFile().toString(),
                    "server", "localhost:" + tls.port(), "login", "", "password", "", "type", "single"));
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> pool.ping().await().atMost(WAIT)).as("a certificate for another host")
                        .satisfies(e -> assertThat(pool.classify(e)).isEqualTo(FailureClass.UNAVAILABLE));
            }
            assertThatThrownBy(() -> PoolRuns.run(pool, hook(HookPoint.CLIENT_CONNECTED, "on_client_connected"),
                    new ClientConnected(client("other-host", 1))).await().atMost(WAIT))
                    .satisfies(e -> assertThat(pool.classify(e)).isEqualTo(FailureClass.UNAVAILABLE));
            assertThat(inspect.getDatabase(database.name()).getCollection("mqtt_client")
                    .find(eq("clientid", "other-host")).first()).as("written through refused TLS").isNull();
            assertThat(log.at("WARN")).as("WARN lines").hasSize(1).first().asString()
                    .startsWith("pool mongo.pool1: TLS to localhost:" + tls.port() + " failed: ")
                    .contains("No subject alternative DNS name matching localhost found");
        }
    }

    private static Map<String, String> with(Map<String, String> base, String... keysAndValues) {
        Map<String, String> map = new HashMap<>(base);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** The failure and its causes, as text: the driver names a TLS failure in a cause or in its cluster view. */
    private static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }
}
