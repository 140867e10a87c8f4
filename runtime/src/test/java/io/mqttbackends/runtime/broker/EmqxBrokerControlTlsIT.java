package io.mqttbackends.runtime.broker;

import static io.mqttbackends.runtime.ingest.TestConfigs.runtimeConfig;
import static io.mqttbackends.runtime.ingest.TestConfigs.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.runtime.action.BrokerControl;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.testing.LogCapture;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.mqttbackends.runtime.testing.TestCertificates;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The EMQX REST client over HTTPS with a CA of the test's own (openssl), through the real Quarkus TLS registry, against
 * a local HTTPS server standing in for the EMQX API; and the WARN for {@code http://} to another host.
 */
@QuarkusTest
@QuarkusTestResource(value = EmqxBrokerControlTlsIT.Certificates.class, restrictToAnnotatedClass = true)
class EmqxBrokerControlTlsIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    static final String TEST_DIR = "emqx-tls-test.dir";
    private static final String SECRET = "secret-" + unique();

    /** The CA and certificates, two TLS configurations, and what the runtime needs to start. */
    public static class Certificates implements QuarkusTestResourceLifecycleManager {
        private Path dir;

        @Override
        public Map<String, String> start() {
            try {
                dir = Files.createTempDirectory("mqttbackends-emqx-tls");
                TestCertificates.caAndServerForLocalhost(dir);
                TestCertificates.signedByCa(dir, "other", "other.example", false);
                Files.writeString(dir.resolve("api-secret"), SECRET + "\n");
                Files.createDirectories(dir.resolve("conf"));
                // the runtime needs one pool and hook to start; nothing is published on this topic
                Files.writeString(dir.resolve("conf/backends.conf"), String.join("\n",
                        "backend.redis.pool1.server = 127.0.0.1:6379",
                        "backend.redis.hook.message.publish.1 = {\"topic\": \"emqx-tls-it/none/#\", \"action\": "
                                + "{\"commands\": [\"SET emqx-tls-it ${payload}\"]}, \"pool\": \"pool1\"}",
                        ""));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> config = new HashMap<>();
            config.put(TEST_DIR, dir.toString());
            config.put("quarkus.tls.emqx.trust-store.pem.certs", dir.resolve("ca.pem").toString());
            config.put("quarkus.tls.emqx-no-host-check.trust-store.pem.certs", dir.resolve("ca.pem").toString());
            config.put("quarkus.tls.emqx-no-host-check.hostname-verification-algorithm", "NONE");
            config.put("mqttbackends.conf-dir", dir.resolve("conf").toString());
            config.put("mqttbackends.mqtt.host", "127.0.0.1");
            config.put("mqttbackends.mqtt.client-id", "emqx-tls-it-" + unique());
            config.put("mqttbackends.mqtt.session-expiry", "PT1M");
            config.put("mqttbackends.ingest.emqx-rule.enabled", "false");
            config.put("mqttbackends.ingest.emqx-sys.enabled", "false");
            config.put("mqttbackends.ingest.raw.topics", "emqx-tls-it-" + unique() + "/#");
            return config;
        }

        @Override
        public void stop() {
            TestCertificates.deleteTree(dir);
        }
    }

    @Inject
    TlsConfigurationRegistry registry;
    @Inject
    Vertx vertx;
    // read, not injected: an injected property is checked when any test class boots the application
    private final Path dir = ConfigProvider.getConfig().getValue(TEST_DIR, Path.class);

    @Test
    void httpsWithTheCustomCaAndTheSecretFromAFile() {
        try (RecordingHttpServer emqx = new RecordingHttpServer(dir.resolve("server.pem"), dir.resolve("server.key"))) {
            subscribe(control(emqx.url(), Optional.of("emqx")));
            assertThat(emqx.requests()).hasSize(1);
            assertThat(emqx.requests().get(0).path()).isEqualTo("/api/v5/clients/dev1/subscribe/bulk");
            assertThat(emqx.requests().get(0).authorization()).isEqualTo("Basic " + Base64.getEncoder()
                    .encodeToString(("key1:" + SECRET).getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void withoutTheCaTheServerIsNotTrusted() {
        try (RecordingHttpServer emqx = new RecordingHttpServer(dir.resolve("server.pem"), dir.resolve("server.key"))) {
            assertThatThrownBy(() -> subscribe(control(emqx.url(), Optional.empty())))
                    .hasCauseInstanceOf(SSLHandshakeException.class)
                    .hasRootCauseInstanceOf(CertPathBuilderException.class);
            assertThat(emqx.requests()).isEmpty();
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefusedUnlessHostNameVerificationIsExplicitlyOff() {
        try (RecordingHttpServer emqx = new RecordingHttpServer(dir.resolve("other.pem"), dir.resolve("other.key"))) {
            assertThatThrownBy(() -> subscribe(control(emqx.url(), Optional.of("emqx"))))
                    .hasCauseInstanceOf(SSLHandshakeException.class)
                    .rootCause().hasMessageContaining("No subject alternative DNS name matching localhost");
            assertThat(emqx.requests()).isEmpty();

            subscribe(control(emqx.url(), Optional.of("emqx-no-host-check")));
            assertThat(emqx.requests()).hasSize(1);
        }
    }

    @Test
    void httpToAnotherHostIsAWarningAndATlsConfigurationNeedsHttps() {
        try (LogCapture log = LogCapture.of(EmqxBrokerControl.class.getName())) {
            settings("http://192.0.2.1:18083", Optional.empty());
            settings("http://127.0.0.1:18083", Optional.empty());
            settings("https://192.0.2.1:18084", Optional.of("emqx"));
            assertThat(log.records()).filteredOn(line -> line.level().intValue() >= Level.WARNING.intValue())
                    .extracting(LogCapture.Line::message)
                    .containsExactly("mqttbackends.broker-control.emqx.url is http:// to 192.0.2.1: the EMQX API key"
                            + " and secret cross the network in clear; use https://");
        }
        assertThatThrownBy(() -> settings("http://127.0.0.1:18083", Optional.of("emqx")))
                .hasMessageContaining("mqttbackends.broker-control.emqx.tls-configuration-name=emqx needs an https://");
        assertThatThrownBy(() -> settings("https://127.0.0.1:18084", Optional.of("nope")))
                .hasMessageContaining("mqttbackends.broker-control.emqx.tls-configuration-name=nope")
                .hasMessageContaining("quarkus.tls.nope");
    }

    @Test
    void anUnreadableSecretFileFailsNamingTheSettingNotTheSecret() {
        Path missing = dir.resolve("missing-secret");
        RuntimeConfig config = runtimeConfig(Map.of("broker-control.type", "emqx",
                "broker-control.emqx.url", "https://127.0.0.1:18084",
                "broker-control.emqx.api-key", "key1",
                "broker-control.emqx.api-secret-file", missing.toString()));
        assertThatThrownBy(() -> EmqxBrokerControl.Settings.from(config.brokerControl(), Optional.of(registry)))
                .hasMessageContaining("mqttbackends.broker-control.emqx.api-secret-file")
                .hasMessageContaining(missing.toString());
    }

    private void subscribe(BrokerControl control) {
        try {
            control.subscribe("dev1", List.of(new Subscription("devices/dev1/cmd", 1))).await().atMost(WAIT);
        } finally {
            ((EmqxBrokerControl) control).close();
        }
    }

    private EmqxBrokerControl.Settings settings(String url, Optional<String> tls) {
        return EmqxBrokerControl.Settings.from(config(url, tls).brokerControl(), Optional.of(registry));
    }

    private BrokerControl control(String url, Optional<String> tls) {
        RuntimeConfig config = config(url, tls);
        return BrokerControlProducer.create(config.brokerControl(), new MqttIngress(config), vertx,
                Optional.of(registry));
    }

    private RuntimeConfig config(String url, Optional<String> tls) {
        Map<String, String> settings = new HashMap<>(Map.of("broker-control.type", "emqx",
                "broker-control.emqx.url", url,
                "broker-control.emqx.api-key", "key1",
                "broker-control.emqx.api-secret-file", dir.resolve("api-secret").toString()));
        tls.ifPresent(name -> settings.put("broker-control.emqx.tls-configuration-name", name));
        return runtimeConfig(settings);
    }
}
