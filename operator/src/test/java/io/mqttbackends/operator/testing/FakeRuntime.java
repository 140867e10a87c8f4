package io.mqttbackends.operator.testing;

import com.sun.net.httpserver.HttpServer;
import io.mqttbackends.operator.status.RuntimeProbe;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Stands in for the runtime's {@code GET /q/mqttbackends/config} in reconciler tests: it answers whatever state the
 * test sets, so Applied can be driven to Loaded, ReloadFailed and Pending. A JDK HTTP server on a free port.
 */
public final class FakeRuntime implements AutoCloseable {

    /** What the endpoint reports; null fields are JSON null. */
    public record State(String hash, String lastError, String lastErrorHash) {
    }

    private final HttpServer server;
    private volatile Supplier<State> state = () -> new State(null, null, null);
    private volatile int status = 200;
    private final AtomicInteger requests = new AtomicInteger();

    public FakeRuntime() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext(RuntimeProbe.PATH, exchange -> {
            requests.incrementAndGet();
            State s = state.get();
            byte[] body = ("{\"hash\":" + json(s.hash()) + ",\"loadedAt\":\"2026-01-01T00:00:00Z\",\"lastError\":"
                    + json(s.lastError()) + ",\"lastErrorHash\":" + json(s.lastErrorHash())
                    + ",\"lastErrorAt\":null}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Report this state on every request from now on (the supplier is asked per request). */
    public void reports(Supplier<State> state) {
        this.status = 200;
        this.state = state;
    }

    /**
     * How many times the operator has asked so far: every reconcile asks once, so a rise proves one ran, whether or
     * not it changed anything.
     */
    public int requests() {
        return requests.get();
    }

    /** Answer every request with this HTTP status (e.g. 503 while "starting"). */
    public void failsWith(int status) {
        this.status = status;
    }

    private static String json(String value) {
        return value == null ? "null" : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
