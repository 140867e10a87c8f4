package io.mqttbackends.runtime.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP proxy in front of a real server, to take that server "down" for the runtime (refused and cut
 * connections, exactly what a stopped database looks like to a client) without stopping it for everything else, or
 * to make it {@linkplain #hang() hang}: accept connections and never answer, as a frozen server or a network that
 * drops packets does.
 */
public final class TcpProxy implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<NetSocket> clients = ConcurrentHashMap.newKeySet();
    /** Connections forwarded now; {@link #hang()} freezes them. */
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile NetServer server;
    /** New connections are held open and never answered, instead of forwarded. */
    private volatile boolean hanging;

    /** One forwarded connection; once frozen, no byte crosses it again in either direction. */
    private static final class Link {
        volatile boolean frozen;
    }

    /** Creates the proxy on a free port, not yet accepting connections. */
    public TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.port = FreePort.find();
    }

    public int port() {
        return port;
    }

    /**
     * Starts accepting connections and forwarding them. After {@link #hang()}, only new connections are forwarded:
     * the ones that hung stay silent until their client closes them, as connections into a black hole do.
     */
    public synchronized void up() {
        hanging = false;
        listen();
    }

    /**
     * Accepts connections and never answers: new connections are held open, read and discarded; open ones stop
     * forwarding in both directions. A client sees its connection established and then nothing, neither an answer
     * nor a close. {@link #up()} forwards new connections again; {@link #down()} closes everything.
     */
    public synchronized void hang() {
        hanging = true;
        links.forEach(link -> link.frozen = true);
        links.clear();
        listen();
    }

    private void listen() {
        if (server != null) {
            return;
        }
        NetServer s = vertx.createNetServer().connectHandler(this::accept);
        await(s.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture());
        server = s;
    }

    /** Client connections open through the proxy now (a closed pool has none), hung ones included. */
    public int openConnections() {
        return clients.size();
    }

    /** Stops accepting connections and cuts every open one, hung ones included. */
    public synchronized void down() {
        NetServer s = server;
        server = null;
        if (s != null) {
            await(s.close().toCompletionStage().toCompletableFuture());
        }
        sockets.forEach(NetSocket::close);
        sockets.clear();
        links.clear();
    }

    private void accept(NetSocket client) {
        if (hanging) {
            sockets.add(client);
            clients.add(client);
            client.handler(discarded -> { });
            client.closeHandler(v -> {
                clients.remove(client);
                sockets.remove(client);
            });
            return;
        }
        forward(client);
    }

    private void forward(NetSocket client) {
        client.pause();
        sockets.add(client);
        clients.add(client);
        Link link = new Link();
        vertx.createNetClient().connect(targetPort, targetHost).onComplete(ar -> {
            if (ar.failed()) {
                clients.remove(client);
                client.close();
                return;
            }
            NetSocket upstream = ar.result();
            sockets.add(upstream);
            links.add(link);
            if (hanging) {
                link.frozen = true;
            }
            client.handler(data -> {
                if (!link.frozen) {
                    upstream.write(data);
                }
            });
            upstream.handler(data -> {
                if (!link.frozen) {
                    client.write(data);
                }
            });
            client.closeHandler(v -> {
                clients.remove(client);
                links.remove(link);
                upstream.close();
            });
            upstream.closeHandler(v -> {
                links.remove(link);
                // A frozen link says nothing, not even that the server went away.
                if (!link.frozen) {
                    client.close();
                }
            });
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
