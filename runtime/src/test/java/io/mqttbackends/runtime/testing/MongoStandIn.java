package io.mqttbackends.runtime.testing;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A mongo-java-server of one test's own on a free loopback port, which the test may stop and start again on the same
 * port (the run's {@link MongoTestServer} is shared and must stay up). Stopping drops every client connection and
 * closes the port, as a stopped mongod does; the data lives on in memory and is served again after {@link #start()},
 * as a mongod's data files would be.
 */
public final class MongoStandIn implements AutoCloseable {
    private static final String HOST = "127.0.0.1";

    private final int port;
    private final KeptMemoryBackend backend = new KeptMemoryBackend();
    private MongoServer server;

    private MongoStandIn(int port) {
        this.port = port;
    }

    /** A running stand-in on a free port, closed at JVM exit if the test does not close it. */
    public static MongoStandIn start() {
        MongoStandIn standIn = new MongoStandIn(FreePort.find());
        TestRun.closeAtExit(standIn);
        standIn.up();
        return standIn;
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}, the form of a pool's {@code server} key. */
    public String server() {
        return HOST + ":" + port;
    }

    /** A connection string for a plain client, {@code mongodb://127.0.0.1:<port>}. */
    public String uri() {
        return "mongodb://" + server();
    }

    /** Starts serving again on the same port, with the data it held when stopped. */
    public synchronized void up() {
        if (server != null) {
            return;
        }
        MongoServer next = new MongoServer(backend);
        next.bind(HOST, port);
        server = next;
    }

    /** Closes the port and every open connection; the data is kept for {@link #up()}. */
    public synchronized void down() {
        if (server == null) {
            return;
        }
        // shutdownNow closes the clients' connections too (stopListening alone keeps them); the backend ignores
        // the close it receives, so the documents survive.
        server.shutdownNow();
        server = null;
        if (accepts()) {
            throw new IllegalStateException("the stand-in still accepts connections on " + server());
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops it for good and drops its data. */
    @Override
    public synchronized void close() {
        down();
        backend.reallyClose();
        TestRun.closed(this);
    }

    @Override
    public String toString() {
        return "mongo stand-in on " + server();
    }

    /** The in-memory backend whose data outlives a server stop: only {@link #reallyClose()} drops it. */
    private static final class KeptMemoryBackend extends MemoryBackend {
        @Override
        public void close() {
            // A server stop is not the end of the data.
        }

        void reallyClose() {
            super.close();
        }
    }
}
