package io.mqttbackends.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks a runtime which configuration it runs. Reconcilers run on the operator SDK's worker threads, so a blocking
 * call with a short timeout is right here; any failure becomes {@link RuntimeState.Unreachable}, never an exception,
 * because a missing runtime is a normal state (Applied stays Pending).
 */
public final class RuntimeProbe {

    /** The runtime's endpoint path, relative to its base URL. */
    public static final String PATH = "/q/mqttbackends/config";

    private final HttpClient http;
    private final Duration timeout;
    private final ObjectMapper json = new ObjectMapper();

    public RuntimeProbe(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public RuntimeState probe(String baseUrl) {
        String url = baseUrl.replaceAll("/+$", "") + PATH;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return new RuntimeState.Unreachable(url, "HTTP " + response.statusCode());
            }
            JsonNode body = json.readTree(response.body());
            return new RuntimeState.Reported(text(body, "hash"), text(body, "lastError"), text(body, "lastErrorHash"));
        } catch (IOException | IllegalArgumentException e) {
            return new RuntimeState.Unreachable(url, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RuntimeState.Unreachable(url, "interrupted");
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }
}
