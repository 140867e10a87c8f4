package io.mqttbackends.runtime.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A local HTTP (or HTTPS) endpoint standing in for the EMQX REST API: records every request, answers a fixed status.
 */
public final class RecordingHttpServer implements AutoCloseable {

    /** One received request. */
    public record Request(String method, String path, String authorization, String contentType, String body) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final boolean tls;
    private volatile int status = 200;
    private volatile String responseBody = "[]";

    public RecordingHttpServer() {
        this(new HttpServerOptions());
    }

    /** Over HTTPS with the PEM certificate (chain) and key given. */
    public RecordingHttpServer(Path certificate, Path key) {
        this(new HttpServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(certificate.toString()).setKeyPath(key.toString())));
    }

    private RecordingHttpServer(HttpServerOptions options) {
        tls = options.isSsl();
        server = vertx.createHttpServer(options).requestHandler(req -> req.body().onSuccess(body -> {
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

    /** {@code http://127.0.0.1:<port>}, or {@code https://localhost:<port>} over HTTPS (the certificate's name). */
    public String url() {
        return tls ? "https://localhost:" + server.actualPort() : "http://127.0.0.1:" + server.actualPort();
    }

    public int port() {
        return server.actualPort();
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
