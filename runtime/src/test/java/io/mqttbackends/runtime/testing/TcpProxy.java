package io.mqttbackends.runtime.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP proxy in front of a real server, to take that server "down" for the runtime (refused and cut
 * connections, exactly what a stopped database looks like to a client) without stopping it for everything else.
 */
public final class TcpProxy implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<NetSocket> clients = ConcurrentHashMap.newKeySet();
    private volatile NetServer server;

    /** Creates the proxy on a free port, not yet accepting connections. */
    public TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.port = FreePort.find();
    }

    public int port() {
        return port;
    }

    /** Starts accepting connections and forwarding them. */
    public synchronized void up() {
        if (server != null) {
            return;
        }
        NetServer s = vertx.createNetServer().connectHandler(this::forward);
        await(s.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture());
        server = s;
    }

    /** Client connections open through the proxy now (a closed pool has none). */
    public int openConnections() {
        return clients.size();
    }

    /** Stops accepting connections and cuts every open one. */
    public synchronized void down() {
        NetServer s = server;
        server = null;
        if (s != null) {
            await(s.close().toCompletionStage().toCompletableFuture());
        }
        sockets.forEach(NetSocket::close);
        sockets.clear();
    }

    private void forward(NetSocket client) {
        client.pause();
        sockets.add(client);
        clients.add(client);
        vertx.createNetClient().connect(targetPort, targetHost).onComplete(ar -> {
            if (ar.failed()) {
                clients.remove(client);
                client.close();
                return;
            }
            NetSocket upstream = ar.result();
            sockets.add(upstream);
            client.handler(upstream::write);
            upstream.handler(client::write);
            client.closeHandler(v -> {
                clients.remove(client);
                upstream.close();
            });
            upstream.closeHandler(v -> client.close());
            client.resume();
        });
    }

    private static void await(java.util.concurrent.CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("proxy operation failed", e);
        }
    }

    @Override
    public void close() {
        down();
        vertx.close();
    }
}
