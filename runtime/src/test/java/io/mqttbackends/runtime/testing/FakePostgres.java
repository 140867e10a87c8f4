package io.mqttbackends.runtime.testing;

import io.mqttbackends.runtime.testing.TlsTestFiles.ServerCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An impostor PostgreSQL on a free loopback port: it accepts TLS (answers {@code SSLRequest} with {@code S} and
 * presents the given certificate), asks every client for its password in clear text
 * ({@code AuthenticationCleartextPassword}) and keeps what it receives; then refuses the login. It shows what a
 * client hands to whoever answers in place of its database.
 */
public final class FakePostgres implements AutoCloseable {
    private static final int SSL_REQUEST = 80877103;

    private final Vertx vertx = Vertx.vertx();
    private final NetServer server;
    private final int port;
    private final List<String> passwords = new CopyOnWriteArrayList<>();
    private final AtomicInteger handshakes = new AtomicInteger();

    private FakePostgres(TlsTestFiles tls, ServerCertificate certificate) {
        this.port = FreePort.find();
        NetServer s = vertx.createNetServer(new NetServerOptions().setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(tls.certificate(certificate).toString()).setKeyPath(tls.key(certificate).toString())))
                .connectHandler(this::serve);
        try {
            s.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("fake PostgreSQL cannot listen on " + port + ": " + e, e);
        }
        this.server = s;
        TestRun.closeAtExit(this);
    }

    public static FakePostgres start(TlsTestFiles tls, ServerCertificate certificate) {
        return new FakePostgres(tls, certificate);
    }

    public int port() {
        return port;
    }

    /** The passwords clients sent, in order. */
    public List<String> passwords() {
        return List.copyOf(passwords);
    }

    /** TLS handshakes that completed. */
    public int handshakes() {
        return handshakes.get();
    }

    /** One client: SSLRequest, TLS, StartupMessage, then the password asked for in clear. */
    private void serve(NetSocket socket) {
        Buffer[] pending = {Buffer.buffer()};
        AtomicInteger stage = new AtomicInteger();
        socket.handler(data -> {
            pending[0].appendBuffer(data);
            while (true) {
                int st = stage.get();
                // Up to the startup message there is no type byte; after it every message has one.
                int header = st < 2 ? 0 : 1;
                if (pending[0].length() < header + 4 || pending[0].length() < header + pending[0].getInt(header)) {
                    return;
                }
                int end = header + pending[0].getInt(header);
                Buffer message = pending[0].getBuffer(0, end);
                pending[0] = pending[0].getBuffer(end, pending[0].length());
                if (st == 0 && message.getInt(4) == SSL_REQUEST) {
                    stage.set(1);
                    // Written before the TLS handler joins the pipeline, which happens before the next read.
                    socket.write(Buffer.buffer("S"));
                    socket.upgradeToSsl().onSuccess(ok -> handshakes.incrementAndGet());
                } else if (st <= 1) {
                    stage.set(2);
                    // AuthenticationCleartextPassword: 'R', length 8, code 3.
                    socket.write(Buffer.buffer().appendByte((byte) 'R').appendInt(8).appendInt(3));
                } else if (message.getByte(0) == 'p') {
                    passwords.add(message.getString(5, message.length() - 1, StandardCharsets.UTF_8.name()));
                    byte[] error = "SFATAL\0C28P01\0Mpassword authentication failed\0\0"
                            .getBytes(StandardCharsets.US_ASCII);
                    socket.write(Buffer.buffer().appendByte((byte) 'E').appendInt(4 + error.length)
                            .appendBytes(error)).onComplete(v -> socket.close());
                    return;
                }
            }
        });
    }

    @Override
    public void close() {
        try {
            server.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("fake PostgreSQL close: " + e);
        } finally {
            TestRun.closed(this);
        }
    }

    @Override
    public String toString() {
        return "fake PostgreSQL on port " + port;
    }
}
