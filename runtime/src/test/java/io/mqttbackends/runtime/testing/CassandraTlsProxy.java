package io.mqttbackends.runtime.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * TLS in front of the run's Cassandra, which serves plain CQL only: a loopback Vert.x server on a free port that
 * terminates TLS with a server certificate for {@code DNS:localhost} (nothing else), signed by a throw-away CA, both
 * made by the {@code openssl} command in a temporary directory, and forwards the bytes to the real server.
 * {@link #close()} stops it and deletes the directory (at JVM exit at the latest).
 */
public final class CassandraTlsProxy implements AutoCloseable {
    private final Path dir;
    private final Vertx vertx = Vertx.vertx();
    private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final NetServer server;
    private final int port;

    private CassandraTlsProxy(Path dir, String targetHost, int targetPort) {
        this.dir = dir;
        this.port = FreePort.find();
        NetServer s = vertx.createNetServer(new NetServerOptions().setSsl(true).setKeyCertOptions(
                new PemKeyCertOptions().setKeyPath(dir.resolve("server.key").toString())
                        .setCertPath(dir.resolve("server.pem").toString())))
                .connectHandler(client -> forward(client, targetHost, targetPort));
        try {
            s.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("TLS proxy cannot listen on " + port + ": " + e, e);
        }
        this.server = s;
    }

    /** Makes the certificates and starts forwarding to the run's Cassandra. */
    public static CassandraTlsProxy start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("mqttbackends-cassandra-tls");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            makeCertificates(dir);
            CassandraTlsProxy proxy = new CassandraTlsProxy(dir, CassandraTestServer.server().host(),
                    CassandraTestServer.server().port());
            TestRun.closeAtExit(proxy);
            return proxy;
        } catch (RuntimeException | IOException e) {
            deleteTree(dir);
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    public int port() {
        return port;
    }

    /** The PEM file of the CA that signed the proxy's certificate. */
    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** TLS connections accepted so far (handshakes that failed included). */
    public int accepted() {
        return accepted.get();
    }

    private void forward(NetSocket client, String targetHost, int targetPort) {
        accepted.incrementAndGet();
        client.pause();
        sockets.add(client);
        vertx.createNetClient().connect(targetPort, targetHost).onComplete(ar -> {
            if (ar.failed()) {
                client.close();
                return;
            }
            NetSocket upstream = ar.result();
            sockets.add(upstream);
            client.handler(upstream::write);
            upstream.handler(client::write);
            client.closeHandler(v -> {
                sockets.remove(client);
                upstream.close();
            });
            upstream.closeHandler(v -> {
                sockets.remove(upstream);
                client.close();
            });
            client.resume();
        });
    }

    @Override
    public void close() {
        try {
            server.close();
            sockets.forEach(NetSocket::close);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The JVM's exit stops what is left; the test's result does not depend on it.
            System.err.println("TLS proxy close: " + e);
        } finally {
            deleteTree(dir);
            TestRun.closed(this);
        }
    }

    @Override
    public String toString() {
        return "Cassandra TLS proxy on port " + port;
    }

    /** A CA, and a server certificate for localhost signed by it; EC keys, which openssl makes in milliseconds. */
    private static void makeCertificates(Path dir) throws IOException {
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=mqttbackends test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        Files.writeString(dir.resolve("server.ext"), """
                subjectAltName = DNS:localhost
                basicConstraints = CA:FALSE
                keyUsage = critical, digitalSignature, keyAgreement
                extendedKeyUsage = serverAuth
                """);
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
