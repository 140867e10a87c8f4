package io.mqttbackends.runtime.ingest;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import io.mqttbackends.runtime.config.Hosts;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.config.SecretSetting;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.net.SSLOptions;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.logging.Logger;

/**
 * How the runtime reaches the broker besides host and port: TLS built from a Quarkus TLS configuration, and the
 * password from the setting or its file. Resolved once at start, so a wrong setting fails the start with its name.
 *
 * @param tls the HiveMQ client's TLS settings; empty for plain TCP
 * @param password the broker password; never logged
 */
record BrokerConnection(Optional<MqttClientSslConfig> tls, Optional<String> password) {

    private static final Logger LOG = Logger.getLogger(BrokerConnection.class);
    static final String TLS_SETTING = "mqttbackends.mqtt.tls-configuration-name";
    private static final String HOSTNAME_VERIFICATION_OFF = "NONE";

    /**
     * Reads the password and builds the TLS settings; {@code registry} is empty outside Quarkus (tests of the ingress
     * alone), where a TLS configuration name is an error.
     *
     * @throws IllegalStateException naming the setting when the TLS configuration or the password file is unusable
     */
    static BrokerConnection resolve(RuntimeConfig.Mqtt mqtt, Optional<TlsConfigurationRegistry> registry,
            Vertx vertx) {
        Optional<String> password = SecretSetting.resolve(mqtt.password(), "mqttbackends.mqtt.password",
                mqtt.passwordFile(), "mqttbackends.mqtt.password-file");
        Optional<MqttClientSslConfig> tls = mqtt.tlsConfigurationName().map(name -> {
            TlsConfiguration configuration = registry.flatMap(r -> r.get(name)).orElseThrow(() ->
                    new IllegalStateException(TLS_SETTING + "=" + name + ": no TLS configuration of that name (define"
                            + " quarkus.tls." + name + ".trust-store.pem.certs and the rest)"));
            return sslConfig(name, configuration, vertx);
        });
        if (password.isPresent() && tls.isEmpty() && !Hosts.isLoopback(mqtt.host())) {
            LOG.warnf("The MQTT password goes to %s:%d without TLS, readable on the network: set %s", mqtt.host(),
                    mqtt.port(), TLS_SETTING);
        }
        return new BrokerConnection(tls, password);
    }

    /**
     * Trust from the configuration's trust store (the JVM's default CAs when it has none), the client certificate from
     * its key store, its protocols and cipher suites. Host-name verification stays on (the HiveMQ client then sets the
     * JDK's {@code HTTPS} endpoint identification: the host name or IP address connected to must be in the server
     * certificate's subject alternative names) unless the configuration says {@code NONE}.
     */
    private static MqttClientSslConfig sslConfig(String name, TlsConfiguration configuration, Vertx vertx) {
        if (configuration.isTrustAll()) {
            throw new IllegalStateException(TLS_SETTING + "=" + name + ": quarkus.tls." + name + ".trust-all is not"
                    + " accepted for the broker connection; give the broker's CA in quarkus.tls." + name
                    + ".trust-store.*");
        }
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init((KeyStore) configuration.getTrustStore());
            SSLOptions options = configuration.getSSLOptions();
            MqttClientSslConfigBuilder builder = MqttClientSslConfig.builder()
                    .trustManagerFactory(trust)
                    .protocols(options.getEnabledSecureTransportProtocols())
                    .handshakeTimeout(options.getSslHandshakeTimeout(), options.getSslHandshakeTimeoutUnit());
            if (configuration.getKeyStoreOptions() != null) {
                builder.keyManagerFactory(configuration.getKeyStoreOptions().getKeyManagerFactory(vertx));
            }
            if (!options.getEnabledCipherSuites().isEmpty()) {
                builder.cipherSuites(options.getEnabledCipherSuites());
            }
            if (configuration.getHostnameVerificationAlgorithm().filter(HOSTNAME_VERIFICATION_OFF::equals)
                    .isPresent()) {
                LOG.warnf("MQTT TLS (quarkus.tls.%s) does not verify the broker's host name "
                        + "(hostname-verification-algorithm=NONE): any certificate its CA signed is accepted", name);
                builder.hostnameVerifier((host, session) -> true);
            }
            return builder.build();
        } catch (Exception e) {
            throw new IllegalStateException(TLS_SETTING + "=" + name + ": cannot use quarkus.tls." + name + ": " + e,
                    e);
        }
    }

    /** Never the password itself, should a record ever be logged. */
    @Override
    public String toString() {
        return "BrokerConnection[tls=" + tls.isPresent() + ", password=" + (password.isPresent() ? "***" : "none")
                + "]";
    }
}
