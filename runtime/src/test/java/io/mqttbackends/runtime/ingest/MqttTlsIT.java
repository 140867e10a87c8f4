package io.mqttbackends.runtime.ingest;

import static io.mqttbackends.runtime.ingest.TestConfigs.runtimeConfig;
import static io.mqttbackends.runtime.ingest.TestConfigs.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.testing.LogCapture;
import io.mqttbackends.runtime.testing.PrivateMosquitto;
import io.mqttbackends.runtime.testing.TestCertificates;
import io.mqttbackends.runtime.testing.TestRedis;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT over TLS against real Mosquitto TLS listeners that require a client certificate and a password (a password
 * file made by {@code mosquitto_passwd}), with certificates made by openssl. The runtime itself connects to broker
 * {@code A} (certificate for {@code localhost}) with the TLS configuration {@code broker} and its password from a file;
 * broker {@code B} presents a certificate of the same CA for another host name. Each refusal case runs an ingress of
 * its own, built as the runtime builds it, from the real Quarkus TLS registry.
 */
@QuarkusTest
@QuarkusTestResource(value = MqttTlsIT.Brokers.class, restrictToAnnotatedClass = true)
class MqttTlsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Long enough for several reconnect attempts (0.5 s doubling) to have failed. */
    private static final Duration REFUSED_FOR = Duration.ofSeconds(4);
    static final String PREFIX = "tls-it-" + unique();
    static final String USER = "runtime";
    static final String PASSWORD = "pw-" + unique() + "-secret";
    /** A Redis database the other tests leave alone; keys are under {@link #PREFIX} and removed at the end. */
    static final int REDIS_DATABASE = 11;

    /** Certificates, the two brokers, the password file and the runtime's settings. */
    public static class Brokers implements QuarkusTestResourceLifecycleManager {
        static Path dir;
        static PrivateMosquitto localhost;
        static PrivateMosquitto otherHost;

        @Override
        public Map<String, String> start() {
            try {
                dir = Files.createTempDirectory("mqttbackends-mqtt-tls");
                TestCertificates.caAndServerForLocalhost(dir);
                TestCertificates.signedByCa(dir, "other", "other.example", false);
                TestCertificates.signedByCa(dir, "client", "mqttbackends-runtime", true);
                Path wrong = Files.createDirectories(dir.resolve("wrong"));
                TestCertificates.caAndServerForLocalhost(wrong);
                Files.writeString(dir.resolve("mqtt-password"), PASSWORD + "\n");
                Files.createDirectories(dir.resolve("conf"));
                Files.writeString(dir.resolve("conf/backends.conf"), String.join("\n",
                        "backend.redis.pool1.server = " + TestRedis.HOST + ":" + TestRedis.PORT,
                        "backend.redis.pool1.database = " + REDIS_DATABASE,
                        "backend.redis.hook.message.publish.1 = {\"topic\": \"" + PREFIX + "/#\", \"action\": "
                                + "{\"commands\": [\"SET " + PREFIX + ":${topic} ${payload}\"]}, \"pool\": \"pool1\"}",
                        ""));
                localhost = PrivateMosquitto.builder(dir.resolve("a"))
                        .tls(dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server.key"), true)
                        .user(USER, PASSWORD).start();
                otherHost = PrivateMosquitto.builder(dir.resolve("b"))
                        .tls(dir.resolve("ca.pem"), dir.resolve("other.pem"), dir.resolve("other.key"), true)
                        .user(USER, PASSWORD).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> config = new HashMap<>();
            tls(config, "broker", dir.resolve("ca.pem"), true);
            tls(config, "wrong-ca", dir.resolve("wrong/ca.pem"), true);
            tls(config, "no-client-cert", dir.resolve("ca.pem"), false);
            tls(config, "no-host-check", dir.resolve("ca.pem"), true);
            config.put("quarkus.tls.no-host-check.hostname-verification-algorithm", "NONE");
            config.put("mqttbackends.conf-dir", dir.resolve("conf").toString());
            config.put("mqttbackends.mqtt.host", "localhost");
            config.put("mqttbackends.mqtt.port", String.valueOf(localhost.port()));
            config.put("mqttbackends.mqtt.client-id", PREFIX + "-runtime");
            config.put("mqttbackends.mqtt.session-expiry", "PT1M");
            config.put("mqttbackends.mqtt.username", USER);
            config.put("mqttbackends.mqtt.password-file", dir.resolve("mqtt-password").toString());
            config.put("mqttbackends.mqtt.tls-configuration-name", "broker");
            config.put("mqttbackends.ingest.emqx-rule.enabled", "false");
            config.put("mqttbackends.ingest.emqx-sys.enabled", "false");
            config.put("mqttbackends.ingest.raw.topics", PREFIX + "/#");
            config.put("mqttbackends.dead-letter.enabled", "false");
            config.put("quarkus.log.file.enabled", "true");
            config.put("quarkus.log.file.path", dir.resolve("runtime.log").toString());
            config.put(TEST_DIR, dir.toString());
            config.put(OTHER_HOST_PORT, String.valueOf(otherHost.port()));
            return config;
        }

        private static void tls(Map<String, String> config, String name, Path ca, boolean clientCertificate) {
            config.put("quarkus.tls." + name + ".trust-store.pem.certs", ca.toString());
            if (clientCertificate) {
                config.put("quarkus.tls." + name + ".key-store.pem.client.cert", dir.resolve("client.pem").toString());
                config.put("quarkus.tls." + name + ".key-store.pem.client.key", dir.resolve("client.key").toString());
            }
        }

        @Override
        public void stop() {
            if (localhost != null) {
                localhost.close();
            }
            if (otherHost != null) {
                otherHost.close();
            }
            TestCertificates.deleteTree(dir);
        }
    }

    /** Test settings: the resource runs in another class loader, so it hands over values as configuration. */
    static final String TEST_DIR = "mqtt-tls-test.dir";
    static final String OTHER_HOST_PORT = "mqtt-tls-test.other-host-port";

    @Inject
    TlsConfigurationRegistry registry;
    @Inject
    Vertx vertx;
    // read, not injected: an injected property is checked when any test class boots the application
    private final Path dir = ConfigProvider.getConfig().getValue(TEST_DIR, Path.class);
    private final int localhostPort = ConfigProvider.getConfig().getValue("mqttbackends.mqtt.port", Integer.class);
    private final int otherHostPort = ConfigProvider.getConfig().getValue(OTHER_HOST_PORT, Integer.class);

    private final LogCapture log = LogCapture.of(MqttIngress.class.getName());
    private final String id = unique();
    private AssertSubscriber<Inbound> run;

    @AfterEach
    void stop() {
        if (run != null) {
            run.cancel();
        }
        log.close();
    }

    @Test
    void theRuntimeConnectsWithItsClientCertificateAndThePasswordFromAFileAndEventsFlow() {
        // readiness turns UP once the pools answered their first ping and the SUBACK came, shortly after start
        await("readiness").atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("checks[0].data.mqtt", equalTo("connected")));
        publish(localhostPort, PREFIX + "/app", "over tls");
        try (TestRedis redis = new TestRedis(TestRedis.PORT, REDIS_DATABASE)) {
            await("the event stored").atMost(WAIT).untilAsserted(() ->
                    assertThat(redis.string(PREFIX + ":" + PREFIX + "/app")).contains("over tls"));
            redis.command("DEL", PREFIX + ":" + PREFIX + "/app");
        }
    }

    @Test
    void aBrokerCertificateFromAnotherCaIsRefused() {
        MqttIngress ingress = start("wrong-ca", localhostPort);
        assertRefused(ingress, "PKIX path validation failed");
    }

    @Test
    void aStoppedRunThatCouldNotConnectStopsReconnecting() {
        MqttIngress ingress = start("wrong-ca", localhostPort);
        assertRefused(ingress, "PKIX path validation failed");
        run.cancel();
        run = null;
        // the attempt under way at the cancel may still fail once
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
        long settled = tlsFailures();
        // the client's back-off (0.5 s doubling to 30 s) would have tried again within these 10 s
        await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(12)).until(() -> tlsFailures() == settled);
    }

    private long tlsFailures() {
        return log.records().stream().filter(line -> line.message().contains("MQTT TLS connection")).count();
    }

    @Test
    void aBrokerCertificateForAnotherHostNameIsRefused() {
        MqttIngress ingress = start("broker", otherHostPort);
        assertRefused(ingress, "No subject alternative DNS name matching localhost found");
    }

    @Test
    void withoutAClientCertificateTheBrokerRefusesTheRuntime() {
        MqttIngress ingress = start("no-client-cert", localhostPort);
        await().during(REFUSED_FOR).atMost(REFUSED_FOR.plusSeconds(2)).until(() -> !ingress.isConnected());
        assertThat(log.records()).as("log: %s", log.text())
                .anySatisfy(line -> assertThat(line.message()).contains("MQTT TLS connection")
                        .containsPattern("certificate_required|bad_certificate|handshake_failure"));
    }

    @Test
    void hostNameVerificationNoneExplicitlyAcceptsTheOtherHostCertificate() {
        MqttIngress ingress = start("no-host-check", otherHostPort);
        await().atMost(WAIT).until(ingress::isConnected);
        publish(otherHostPort, PREFIX + "/" + id + "/x", "hello");
        await().atMost(WAIT).until(() -> !run.getItems().isEmpty());
        MessagePublish event = (MessagePublish) ((DecodeResult.Decoded) run.getItems().get(0).result()).event();
        assertThat(new String(event.message().payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void aTlsConfigurationNameWithoutConfigurationFailsNamingTheSetting() {
        assertThatThrownBy(() -> new MqttIngress(runtimeConfig(Map.of("mqtt.tls-configuration-name", "missing")),
                registry, vertx))
                .hasMessageContaining("mqttbackends.mqtt.tls-configuration-name=missing")
                .hasMessageContaining("quarkus.tls.missing");
    }

    @Test
    void anUnreadablePasswordFileFailsNamingTheSettingAndAPasswordInClearToARemoteHostIsAWarning() {
        Path missing = dir.resolve("no-such-password");
        assertThatThrownBy(() -> new MqttIngress(runtimeConfig(Map.of("mqtt.password-file", missing.toString())),
                registry, vertx))
                .hasMessageContaining("mqttbackends.mqtt.password-file")
                .hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> new MqttIngress(runtimeConfig(Map.of("mqtt.password", "a",
                "mqtt.password-file", dir.resolve("mqtt-password").toString())), registry, vertx))
                .hasMessageContaining("mqttbackends.mqtt.password and mqttbackends.mqtt.password-file are both set")
                .hasMessageNotContaining(PASSWORD);

        try (LogCapture warnings = LogCapture.of(BrokerConnection.class.getName())) {
            new MqttIngress(runtimeConfig(Map.of("mqtt.host", "192.0.2.1", "mqtt.password", PASSWORD)), registry,
                    vertx);
            new MqttIngress(runtimeConfig(Map.of("mqtt.host", "127.0.0.1", "mqtt.password", PASSWORD)), registry,
                    vertx);
            assertThat(warnings.records()).filteredOn(line -> line.level().intValue() >= Level.WARNING.intValue())
                    .extracting(LogCapture.Line::message)
                    .containsExactly("The MQTT password goes to 192.0.2.1:1883 without TLS, readable on the network:"
                            + " set mqttbackends.mqtt.tls-configuration-name");
        }
    }

    @Test
    void thePasswordAppearsInNoLogLine() throws IOException {
        await("readiness").atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        String all = Files.readString(dir.resolve("runtime.log"));
        assertThat(all).as("the runtime's log file").contains("MQTT session " + PREFIX + "-runtime subscribed")
                .doesNotContain(PASSWORD);
    }

    private MqttIngress start(String tlsConfiguration, int port) {
        Map<String, String> settings = Map.of(
                "mqtt.host", "localhost",
                "mqtt.port", String.valueOf(port),
                "mqtt.client-id", PREFIX + "-" + id,
                "mqtt.session-expiry", "PT1M",
                "mqtt.username", USER,
                "mqtt.password", PASSWORD,
                "mqtt.tls-configuration-name", tlsConfiguration,
                "ingest.emqx-rule.enabled", "false",
                "ingest.emqx-sys.enabled", "false",
                "ingest.raw.topics", PREFIX + "/" + id + "/#");
        MqttIngress ingress = new MqttIngress(runtimeConfig(settings), registry, vertx);
        run = ingress.events().onItem().invoke(Inbound::acknowledge).subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        return ingress;
    }

    private void assertRefused(MqttIngress ingress, String reason) {
        await().during(REFUSED_FOR).atMost(REFUSED_FOR.plusSeconds(2)).until(() -> !ingress.isConnected());
        List<LogCapture.Line> lines = log.records();
        assertThat(lines).as("log: %s", log.text()).anySatisfy(line -> {
            assertThat(line.level().intValue()).isGreaterThanOrEqualTo(Level.WARNING.intValue());
            assertThat(line.message()).contains(reason);
        });
    }

    /** Publishes as any device on that broker would: the CA, a client certificate and the password. */
    private void publish(int port, String topic, String payload) {
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(PREFIX + "-pub-" + unique())
                .serverHost("127.0.0.1").serverPort(port)
                .sslConfig(clientTls())
                .simpleAuth().username(USER).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        client.connect();
        client.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_LEAST_ONCE)
                .send();
        client.disconnect();
    }

    private MqttClientSslConfig clientTls() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(dir.resolve("ca.pem"))) {
                trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            PemKeyCertOptions key = new PemKeyCertOptions()
                    .setCertPath(dir.resolve("client.pem").toString())
                    .setKeyPath(dir.resolve("client.key").toString());
            return MqttClientSslConfig.builder().trustManagerFactory(factory)
                    .keyManagerFactory(key.getKeyManagerFactory(vertx))
                    .hostnameVerifier((host, session) -> true)
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
