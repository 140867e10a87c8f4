package io.mqttbackends.runtime.broker;

import io.mqttbackends.runtime.action.BrokerControlException;

import io.mqttbackends.runtime.action.BrokerControl;

import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Broker control for EMQX 5: deliveries as {@link MqttBrokerControl}, subscriptions through the REST API
 * ({@code POST /api/v5/clients/{clientid}/subscribe/bulk} and {@code .../unsubscribe/bulk}, spec §8.3),
 * authenticated with an API key.
 */
public class EmqxBrokerControl implements BrokerControl {

    private static final long REQUEST_TIMEOUT_MS = 10_000;

    private final BrokerControl delivery;
    private final WebClient http;
    private final Settings settings;

    /** The EMQX API endpoint and key; {@link #from} validates them. */
    public record Settings(String url, String apiKey, String apiSecret) {

        /** Reads the {@code emqx.*} settings, failing with the names of the missing keys. */
        public static Settings from(RuntimeConfig.BrokerControl config) {
            List<String> missing = new ArrayList<>();
            if (config.emqxUrl().isEmpty()) {
                missing.add("mqttbackends.broker-control.emqx.url");
            }
            if (config.emqxApiKey().isEmpty()) {
                missing.add("mqttbackends.broker-control.emqx.api-key");
            }
            if (config.emqxApiSecret().isEmpty()) {
                missing.add("mqttbackends.broker-control.emqx.api-secret");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("mqttbackends.broker-control.type=emqx needs " + String.join(", ",
                        missing));
            }
            return new Settings(config.emqxUrl().get().replaceAll("/+$", ""), config.emqxApiKey().get(),
                    config.emqxApiSecret().get());
        }
    }

    public EmqxBrokerControl(BrokerControl delivery, Vertx vertx, Settings settings) {
        this.delivery = delivery;
        this.http = WebClient.create(vertx);
        this.settings = settings;
    }

    @Override
    public Uni<Void> deliver(String clientid, List<StoredMessage> messages) {
        return delivery.deliver(clientid, messages);
    }

    @Override
    public Uni<Void> subscribe(String clientid, List<Subscription> subscriptions) {
        JsonArray body = new JsonArray();
        subscriptions.forEach(s -> body.add(new JsonObject().put("topic", s.topic()).put("qos", s.qos())));
        return post(clientid, "subscribe/bulk", body);
    }

    @Override
    public Uni<Void> unsubscribe(String clientid, List<String> topics) {
        JsonArray body = new JsonArray();
        topics.forEach(t -> body.add(new JsonObject().put("topic", t)));
        return post(clientid, "unsubscribe/bulk", body);
    }

    private Uni<Void> post(String clientid, String operation, JsonArray body) {
        // URLEncoder encodes for forms; in a path a space is %20, not '+'
        String path = "/api/v5/clients/" + URLEncoder.encode(clientid, StandardCharsets.UTF_8).replace("+", "%20")
                + "/" + operation;
        String credentials = Base64.getEncoder().encodeToString(
                (settings.apiKey() + ":" + settings.apiSecret()).getBytes(StandardCharsets.UTF_8));
        return http.postAbs(settings.url() + path)
                .putHeader("Authorization", "Basic " + credentials)
                .timeout(REQUEST_TIMEOUT_MS)
                .sendJson(body)
                .onItem().transformToUni(response -> checkStatus(response, path));
    }

    @Override
    public boolean canSubscribeClients() {
        return true;
    }

    /** Releases the HTTP client. */
    public void close() {
        http.close();
    }

    private static Uni<Void> checkStatus(HttpResponse<Buffer> response, String path) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().failure(new BrokerControlException("EMQX API POST " + path + " answered " + status
                + ": " + response.bodyAsString(), status));
    }
}
