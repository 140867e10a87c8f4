package io.mqttbackends.runtime.broker;

import io.mqttbackends.runtime.action.BrokerControlException;

import io.mqttbackends.runtime.action.BrokerControl;

import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.config.Hosts;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.config.SecretSetting;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.tls.runtime.config.TlsConfigUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Broker control for EMQX 5: deliveries as {@link MqttBrokerControl}, subscriptions through the REST API
 * ({@code POST /api/v5/clients/{clientid}/subscribe/bulk} and {@code .../unsubscribe/bulk}, EMQX 5's REST API),
 * authenticated with an API key. Over {@code https://} the server certificate and its host name are verified, against
 * the CA of the Quarkus TLS configuration {@code emqx.tls-configuration-name} names or the JVM's default CAs.
 */
public class EmqxBrokerControl implements BrokerControl {

    private static final Logger LOG = Logger.getLogger(EmqxBrokerControl.class);
    private static final long REQUEST_TIMEOUT_MS = 10_000;
    private static final String TLS_SETTING = "mqttbackends.broker-control.emqx.tls-configuration-name";

    private final BrokerControl delivery;
    private final WebClient http;
    private final Settings settings;

    /**
     * The EMQX API endpoint, key and TLS; {@link #from} validates them.
     *
     * @param tls the TLS configuration {@code emqx.tls-configuration-name} names, resolved
     */
    public record Settings(String url, String apiKey, String apiSecret, Optional<TlsConfiguration> tls) {

        /** Without a TLS configuration: plain http://, or https:// trusting the JVM's default CAs. */
        public Settings(String url, String apiKey, String apiSecret) {
            this(url, apiKey, apiSecret, Optional.empty());
        }

        /**
         * Reads the {@code emqx.*} settings, failing with the names of the missing or unusable keys; WARNs when the
         * key and secret would cross the network in clear.
         */
        public static Settings from(RuntimeConfig.BrokerControl config, Optional<TlsConfigurationRegistry> registry) {
            Optional<String> secret = SecretSetting.resolve(config.emqxApiSecret(),
                    "mqttbackends.broker-control.emqx.api-secret", config.emqxApiSecretFile(),
                    "mqttbackends.broker-control.emqx.api-secret-file");
            List<String> missing = new ArrayList<>();
            if (config.emqxUrl().isEmpty()) {
                missing.add("mqttbackends.broker-control.emqx.url");
            }
            if (config.emqxApiKey().isEmpty()) {
                missing.add("mqttbackends.broker-control.emqx.api-key");
            }
            if (secret.isEmpty()) {
                missing.add("mqttbackends.broker-control.emqx.api-secret");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("mqttbackends.broker-control.type=emqx needs " + String.join(", ",
                        missing));
            }
            String url = config.emqxUrl().get().replaceAll("/+$", "");
            URI uri = URI.create(url);
            boolean https = "https".equalsIgnoreCase(uri.getScheme());
            if (!https && !"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalStateException("mqttbackends.broker-control.emqx.url=" + url + ": not an http:// or"
                        + " https:// URL with a host");
            }
            Optional<TlsConfiguration> tls = config.emqxTlsConfigurationName().map(name -> {
                if (!https) {
                    throw new IllegalStateException(TLS_SETTING + "=" + name + " needs an https:// "
                            + "mqttbackends.broker-control.emqx.url, not " + url);
                }
                return registry.flatMap(r -> r.get(name)).orElseThrow(() -> new IllegalStateException(TLS_SETTING
                        + "=" + name + ": no TLS configuration of that name (define quarkus.tls." + name
                        + ".trust-store.pem.certs and the rest)"));
            });
            if (!https && !Hosts.isLoopback(uri.getHost())) {
                LOG.warnf("mqttbackends.broker-control.emqx.url is http:// to %s: the EMQX API key and secret cross "
                        + "the network in clear; use https://", uri.getHost());
            }
            return new Settings(url, config.emqxApiKey().get(), secret.get(), tls);
        }

        /** Never the secret itself, should the settings ever be logged. */
        @Override
        public String toString() {
            return "Settings[url=" + url + ", apiKey=" + apiKey + ", apiSecret=***, tls=" + tls.map(
                    TlsConfiguration::getName) + "]";
        }
    }

    public EmqxBrokerControl(BrokerControl delivery, Vertx vertx, Settings settings) {
        this.delivery = delivery;
        WebClientOptions options = new WebClientOptions();
        // Vert.x verifies the host name of an https:// server by default; the TLS configuration may turn it off
        // explicitly (hostname-verification-algorithm=NONE) and adds its CA and client certificate
        settings.tls().ifPresent(tls -> TlsConfigUtils.configure(options, tls));
        this.http = WebClient.create(vertx, options);
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
