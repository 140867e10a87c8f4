package io.mqttbackends.runtime.testing;

import com.mongodb.MongoClientSettings;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A private MongoDB stand-in (mongo-java-server, in memory) that serves TLS only, on a free loopback port, with a
 * throw-away CA and a server certificate made by the {@code openssl} command in a temporary directory. The server
 * certificate names {@code DNS:localhost} (or another host name) and nothing else, so a client reaching it as {@code 127.0.0.1} must refuse
 * it when it verifies host names. {@link #close()} stops the server and deletes the directory (at JVM exit at the
 * latest).
 */
public final class MongoTlsStandIn implements AutoCloseable {

    private final Path dir;
    private final MongoServer server;
    private final int port;

    private MongoTlsStandIn(Path dir, MongoServer server, int port) {
        this.dir = dir;
        this.server = server;
        this.port = port;
    }

    /** Makes the certificates, the server's for {@code localhost}, and starts the server. */
    public static MongoTlsStandIn start() {
        return start("localhost");
    }

    /**
     * Makes the certificates, the server's for the DNS name {@code host} (and nothing else), and starts the server;
     * another host than {@code localhost} makes a server that pools reaching it must refuse.
     */
    public static MongoTlsStandIn start(String host) {
        Path dir;
        try {
            dir = Files.createTempDirectory("mqttbackends-mongo-tls");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            TestCertificates.caAndServerForLocalhost(dir);
            if (!host.equals("localhost")) {
                TestCertificates.serverCertificate(dir, "server", host);
            }
            PrivateKey key = privateKey(dir.resolve("server.key"));
            X509Certificate cert = certificate(dir.resolve("server.pem"));
            X509Certificate ca = certificate(dir.resolve("ca.pem"));
            MongoServer server = new MongoServer(new MemoryBackend());
            server.enableSsl(key, null, cert, ca);
            server.bind("127.0.0.1", 0);
            MongoTlsStandIn standIn = new MongoTlsStandIn(dir, server, server.getLocalAddress().getPort());
            TestRun.closeAtExit(standIn);
            return standIn;
        } catch (RuntimeException | IOException | GeneralSecurityException e) {
            TestCertificates.deleteTree(dir);
            throw e instanceof RuntimeException r ? r : new IllegalStateException("TLS stand-in: " + e, e);
        }
    }

    /** The loopback port it listens on. */
    public int port() {
        return port;
    }

    /** The PEM file of the CA that signed the server certificate (for a pool's {@code cacertfile}). */
    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** A client certificate and its key, PEM files. */
    public record ClientCertificate(Path certfile, Path keyfile) {
    }

    /**
     * A client certificate signed by the CA, with an RSA key in the traditional PKCS#1 PEM form
     * ({@code BEGIN RSA PRIVATE KEY}) that older openssl versions and EMQX's guides produce. The stand-in does not ask
     * for client certificates, so this shows that a pool loads the pair and still connects, not that the server checks it.
     */
    public ClientCertificate clientCertificate() {
        try {
            TestCertificates.openssl(dir, "genrsa", "-traditional", "-out", "client.key", "2048");
            TestCertificates.openssl(dir, "req", "-new", "-key", "client.key", "-out", "client.csr", "-subj",
                    "/CN=mqttbackends");
            TestCertificates.openssl(dir, "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", "client.pem", "-days", "2");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ClientCertificate(dir.resolve("client.pem"), dir.resolve("client.key"));
    }

    /**
     * A plain synchronous client that trusts the CA, to inspect what a pool wrote, whatever host the certificate
     * names. Close it after use.
     */
    public MongoClient client() {
        SSLContext context;
        try (InputStream in = Files.newInputStream(caFile())) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return MongoClients.create(MongoClientSettings.builder()
                .applyToClusterSettings(c -> c.hosts(List.of(new ServerAddress("localhost", port)))
                        .serverSelectionTimeout(10, TimeUnit.SECONDS))
                .applyToSslSettings(s -> s.enabled(true).invalidHostNameAllowed(true).context(context))
                .build());
    }

    @Override
    public void close() {
        try {
            server.shutdownNow();
        } finally {
            TestCertificates.deleteTree(dir);
            TestRun.closed(this);
        }
    }

    @Override
    public String toString() {
        return "MongoDB TLS stand-in on port " + port;
    }

    /** The PKCS#8 PEM key {@code openssl req -nodes} writes. */
    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                .decode(base64)));
    }

    private static X509Certificate certificate(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
