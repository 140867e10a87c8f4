package io.mqttbackends.runtime.backend;

import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.model.conf.PoolConfig;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * The TLS context of a pool whose driver takes a JSSE {@link SSLContext} (MongoDB, Cassandra), from the pool's PEM
 * files: the CA certificate(s) under the database's CA key, else the JVM's trust store; the client certificate
 * ({@code certfile}/{@code keyfile}) if one is given. Host names are verified by each driver, told so by its backend.
 */
public final class PoolTls {
    private PoolTls() {
    }

    /**
     * @param verify whether the server's certificate is checked; {@code false} accepts any certificate (only where a
     *               pool says {@code verify = false})
     * @throws ConfigException naming the key whose file cannot be used
     */
    public static SSLContext context(PoolConfig config, Vertx vertx, boolean verify) {
        String caKey = DatabaseProfile.of(config.kind()).caFileKey();
        Optional<String> ca = config.readableFile(caKey);
        Optional<PoolConfig.ClientCertificate> certificate = config.clientCertificate();
        TrustManager[] trust;
        try {
            trust = !verify ? InsecureTrustManagerFactory.INSTANCE.getTrustManagers()
                    : ca.isPresent() ? new PemTrustOptions().addCertPath(ca.get()).getTrustManagerFactory(vertx)
                            .getTrustManagers()
                    : null;
        } catch (Exception e) {
            throw new ConfigException(config.locationOf(caKey), "cannot use " + caKey + " '" + ca.orElse("")
                    + "' as PEM CA certificates: " + e.getMessage());
        }
        KeyManager[] keys = null;
        if (certificate.isPresent()) {
            try {
                keys = new PemKeyCertOptions().setCertPath(certificate.get().certfile())
                        .setKeyPath(certificate.get().keyfile()).getKeyManagerFactory(vertx).getKeyManagers();
            } catch (Exception e) {
                throw new ConfigException(config.locationOf("certfile"), "cannot use certfile '"
                        + certificate.get().certfile() + "' and keyfile '" + certificate.get().keyfile()
                        + "' as a PEM client certificate and key: " + e.getMessage());
            }
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no TLS: " + e.getMessage(), e);
        }
    }
}
