package io.mqttbackends.runtime.backend;

import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.model.conf.PoolConfig;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jboss.logging.Logger;

/**
 * TLS towards a pool's database, the same for every database: with {@code ssl} on, the server's certificate is checked
 * against the pool's CA file (the database's {@code cacertfile} or {@code cafile} key), else the JVM's trust store,
 * and its host name against the address the pool connects to, unless the pool says {@code verify = false} (MongoDB
 * pools have no such key and always verify). The client certificate ({@code certfile}/{@code keyfile}) is sent when
 * one is given. A failed handshake or verification is logged at WARN by the pool's {@link FailureLog}.
 */
public final class PoolTls {
    private static final Logger LOG = Logger.getLogger(PoolTls.class);

    private PoolTls() {
    }

    /** Whether a TLS pool verifies its server: the default, unless it has a {@code verify} key set to false. */
    public static boolean verifies(PoolConfig config) {
        return !DatabaseProfile.of(config.kind()).hasVerify() || config.boolValue("verify");
    }

    /**
     * Says at load, once per pool, that a TLS pool opted out of verification: anyone on the path can then pose as the
     * database and receive its password. A CA file given with it is not used, which the line says too.
     */
    public static void warnIfUnverified(PoolConfig config) {
        if (!config.boolValue("ssl") || verifies(config)) {
            return;
        }
        String caKey = DatabaseProfile.of(config.kind()).caFileKey();
        LOG.warnf("pool %s: verify = false (%s): TLS accepts any server certificate for any host name, so the "
                + "password goes to whoever answers%s", config.qualifiedName(), config.locationOf("verify"),
                config.optional(caKey).isPresent() ? "; " + caKey + " is not used" : "");
    }

    /**
     * The trust of a verifying Vert.x client: the pool's CA file, else the JVM's trust store (given explicitly: the
     * SQL clients refuse to verify without trust options). Each refusal is reported to {@code log} as it happens:
     * the PostgreSQL client fails the connection with a bare "SSL handshake failed" and keeps the reason to itself.
     *
     * @throws ConfigException naming the CA key whose file cannot be used
     */
    public static TrustOptions trustOptions(PoolConfig config, Vertx vertx, FailureLog log) {
        for (TrustManager manager : trustManagers(config, vertx)) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return TrustOptions.wrap(new Reporting(x509, log));
            }
        }
        throw new IllegalStateException("this JVM has no X.509 trust manager");
    }

    /** The pool's CA file as trust managers, else the JVM's trust store's. */
    private static TrustManager[] trustManagers(PoolConfig config, Vertx vertx) {
        String caKey = DatabaseProfile.of(config.kind()).caFileKey();
        Optional<String> ca = config.readableFile(caKey);
        try {
            TrustManagerFactory factory;
            if (ca.isPresent()) {
                factory = new PemTrustOptions().addCertPath(ca.get()).getTrustManagerFactory(vertx);
            } else {
                factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init((KeyStore) null);
            }
            return factory.getTrustManagers();
        } catch (Exception e) {
            throw new ConfigException(config.locationOf(caKey), "cannot use " + caKey + " '" + ca.orElse("")
                    + "' as PEM CA certificates: " + e.getMessage());
        }
    }

    /** The JVM's check of the server's certificate (and, told so by the engine, its host name), failures reported. */
    private static final class Reporting extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final FailureLog log;

        Reporting(X509ExtendedTrustManager delegate, FailureLog log) {
            this.delegate = delegate;
            this.log = log;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            reported(() -> delegate.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            reported(() -> delegate.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            reported(() -> delegate.checkServerTrusted(chain, authType));
        }

        private void reported(Check check) throws CertificateException {
            try {
                check.run();
            } catch (CertificateException e) {
                log.failed(e);
                throw e;
            }
        }

        private interface Check {
            void run() throws CertificateException;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }

    /** The client certificate of a pool as Vert.x options, if it has one. */
    public static Optional<PemKeyCertOptions> keyCertOptions(PoolConfig config) {
        return config.clientCertificate().map(c -> new PemKeyCertOptions().setCertPath(c.certfile())
                .setKeyPath(c.keyfile()));
    }

    /**
     * The TLS context of a pool whose driver takes a JSSE {@link SSLContext} (MongoDB, Cassandra), from the pool's PEM
     * files. Host names are verified by each driver, told so by its backend.
     *
     * @param verify whether the server's certificate is checked; {@code false} accepts any certificate (only where a
     *               pool says {@code verify = false})
     * @throws ConfigException naming the key whose file cannot be used
     */
    public static SSLContext context(PoolConfig config, Vertx vertx, boolean verify) {
        Optional<PoolConfig.ClientCertificate> certificate = config.clientCertificate();
        TrustManager[] trust = verify ? trustManagers(config, vertx)
                : InsecureTrustManagerFactory.INSTANCE.getTrustManagers();
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
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Why a call failed in TLS, if it did: the message of the innermost {@link SSLException} or
     * {@link CertificateException} under the first one among the failure, its causes and their suppressed exceptions
     * (where drivers put one failure per node). "No subject alternative DNS name matching localhost found." for a certificate of another
     * host, "PKIX path building failed: ..." for one the CA did not sign. Messages of the JDK's TLS stack name hosts
     * and certificates, never credentials.
     */
    public static Optional<String> failureReason(Throwable failure) {
        Deque<Throwable> todo = new ArrayDeque<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        todo.add(failure);
        while (!todo.isEmpty()) {
            Throwable t = todo.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (isTls(t)) {
                // Drivers wrap the JDK's exception in ones of their own ("Failed to create SSL connection").
                Throwable deepest = t;
                for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                    if (isTls(c)) {
                        deepest = c;
                    }
                }
                return Optional.of(deepest instanceof VerificationFailed failed ? failed.reason
                        : deepest.getMessage());
            }
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            todo.addAll(Arrays.asList(t.getSuppressed()));
        }
        return Optional.empty();
    }

    private static boolean isTls(Throwable t) {
        return (t instanceof SSLException || t instanceof CertificateException) && t.getMessage() != null;
    }

    /** A handshake failed because the server's certificate was refused; says why, which the driver did not. */
    public static final class VerificationFailed extends SSLHandshakeException {
        private final String reason;

        VerificationFailed(String pool, String endpoints, String reason, Throwable driverFailure) {
            super("pool " + pool + ": TLS to " + endpoints + " failed: " + reason);
            this.reason = reason;
            initCause(driverFailure);
        }
    }

    /**
     * One pool's TLS failures, logged at WARN once per change of state: when TLS first fails, when it fails for
     * another reason, and (at INFO) when it works again; the same failure repeated by every retry and readiness probe
     * is not logged again. Safe to call from any thread.
     */
    public static final class FailureLog {
        private final String pool;
        private final String endpoints;
        /** The reason last logged; null while TLS works (or nothing was tried yet). */
        private final AtomicReference<String> failing = new AtomicReference<>();

        /** @param serverKey the pool's key of its server address(es), for the log line */
        public FailureLog(PoolConfig config, String serverKey, int defaultPort) {
            this.pool = config.qualifiedName();
            this.endpoints = config.servers(serverKey, defaultPort).stream()
                    .map(s -> (s.host().contains(":") ? "[" + s.host() + "]" : s.host()) + ":" + s.port())
                    .collect(Collectors.joining(", "));
        }

        /**
         * {@code call}, whose failure in TLS is logged and whose success ends a logged failure. A failure that says
         * only that the handshake failed, after the certificate was refused ({@link #trustOptions}), fails the call as
         * a {@link VerificationFailed} that says why.
         */
        public <T> Uni<T> watch(Uni<T> call) {
            return call.onItem().invoke(this::succeeded).onFailure().transform(this::explained)
                    .onFailure().invoke(this::failed);
        }

        private Throwable explained(Throwable failure) {
            String refused = failing.get();
            return refused != null && failureReason(failure).isEmpty()
                    && String.valueOf(failure.getMessage()).contains("SSL")
                    ? new VerificationFailed(pool, endpoints, refused, failure) : failure;
        }

        /** A connection or call failed: logged if in TLS and not already logged for this reason. */
        public void failed(Throwable failure) {
            failureReason(failure).ifPresent(reason -> {
                if (!reason.equals(failing.getAndSet(reason))) {
                    LOG.warnf("pool %s: TLS to %s failed: %s", pool, endpoints, reason);
                }
            });
        }

        /** A call went through, so TLS works (again). */
        public void succeeded() {
            if (failing.getAndSet(null) != null) {
                LOG.infof("pool %s: TLS to %s works again", pool, endpoints);
            }
        }
    }
}
