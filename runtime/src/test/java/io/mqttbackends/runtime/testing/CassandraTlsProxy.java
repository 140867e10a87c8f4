package io.mqttbackends.runtime.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TLS in front of the run's Cassandra, which serves plain CQL only: a loopback Vert.x server on a free port that
 * terminates TLS with a server certificate for {@code DNS:localhost} (or another host name; nothing else), signed by a throw-away CA, both
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

    /** Makes the certificates, the proxy's for {@code localhost}, and starts forwarding to the run's Cassandra. */
    public static CassandraTlsProxy start() {
        return start("localhost");
    }

    /**
     * Makes the certificates, the proxy's for the DNS name {@code host} (and nothing else), and starts forwarding;
     * another host than {@code localhost} makes a proxy that pools reaching it must refuse.
     */
    public static CassandraTlsProxy start(String host) {
        Path dir;
        try {
            dir = Files.createTempDirectory("mqttbackends-cassandra-tls");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            TestCertificates.caAndServerForLocalhost(dir);
            if (!host.equals("localhost")) {
                TestCertificates.serverCertificate(dir, "server", host);
            }
            CassandraTlsProxy proxy = new CassandraTlsProxy(dir, CassandraTestServer.server().host(),
                    CassandraTestServer.server().port());
            TestRun.closeAtExit(proxy);
            return proxy;
        } catch (RuntimeException | IOException e) {
            TestCertificates.deleteTree(dir);
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
            TestCertificates.deleteTree(dir);
            TestRun.closed(this);
        }
    }

    @Override
    public String toString() {
        return "Cassandra TLS proxy on port " + port;
    }
}
