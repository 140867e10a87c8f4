package io.mqttbackends.runtime.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A local HTTP endpoint standing in for the EMQX REST API: records every request, answers a fixed status. */
public final class RecordingHttpServer implements AutoCloseable {

    /** One received request. */
    public record Request(String method, String path, String authorization, String contentType, String body) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private volatile int status = 200;
    private volatile String responseBody = "[]";

    public RecordingHttpServer() {
        server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            requests.add(new Request(req.method().name(), req.path(), req.getHeader("Authorization"),
                    req.getHeader("Content-Type"), body.toString()));
            req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(responseBody);
        }));
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the recording HTTP server", e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public void respondWith(int status, String body) {
        this.status = status;
        this.responseBody = body;
    }

    @Override
    public void close() {
        vertx.close();
    }
}
