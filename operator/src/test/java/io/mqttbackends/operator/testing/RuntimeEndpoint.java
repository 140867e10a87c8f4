package io.mqttbackends.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The HTTP endpoints of the runtime the end-to-end tests start, on the port {@link RuntimePortResource} reserved. */
public final class RuntimeEndpoint {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();

    public static String url() {
        return "http://127.0.0.1:" + RuntimePortResource.port();
    }

    /** The status of a GET, or -1 while nothing answers. */
    public int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url() + path)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** {@code GET /q/mqttbackends/config}: the hash the runtime runs, its last error and its pools. */
    public JsonNode config() throws IOException, InterruptedException {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url() + "/q/mqttbackends/config"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    }
}
