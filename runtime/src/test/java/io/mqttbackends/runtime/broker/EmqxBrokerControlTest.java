package io.mqttbackends.runtime.broker;

import io.mqttbackends.runtime.action.BrokerControlException;

import io.mqttbackends.runtime.action.BrokerControl;

import static io.mqttbackends.runtime.ingest.TestConfigs.runtimeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The EMQX REST subscribe call against a local HTTP server that records what it receives. */
class EmqxBrokerControlTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private record Recorded(String method, String path, String authorization, String body) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String responseBody = "[]";
    private HttpServer server;

    @BeforeEach
    void startServer() {
        server = vertx.createHttpServer()
                .requestHandler(request -> request.body().subscribe().with(body -> {
                    requests.add(new Recorded(request.method().name(), request.uri(),
                            request.getHeader("Authorization"), body.toString()));
                    request.response().setStatusCode(status).endAndForget(responseBody);
                }))
                .listen(0, "127.0.0.1").await().atMost(WAIT);
    }

    @AfterEach
    void stop() {
        vertx.closeAndAwait();
    }

    @Test
    void subscribePostsTheBulkRequest() {
        BrokerControl control = control();
        control.subscribe("dev 1/ä", List.of(new Subscription("devices/dev1/cmd", 1), new Subscription("all/#", 0)))
                .await().atMost(WAIT);

        assertThat(control.canSubscribeClients()).isTrue();
        assertThat(requests).hasSize(1);
        Recorded request = requests.get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/v5/clients/dev%201%2F%C3%A4/subscribe/bulk");
        assertThat(request.authorization()).isEqualTo("Basic " + Base64.getEncoder()
                .encodeToString("key1:secret1".getBytes(StandardCharsets.UTF_8)));
        assertThat(new JsonArray(request.body())).isEqualTo(new JsonArray(
                "[{\"topic\":\"devices/dev1/cmd\",\"qos\":1},{\"topic\":\"all/#\",\"qos\":0}]"));
    }

    @Test
    void unsubscribePostsTheBulkRequestWithTheTopics() {
        control().unsubscribe("dev 1", List.of("devices/dev1/cmd", "all/#")).await().atMost(WAIT);

        assertThat(requests).hasSize(1);
        Recorded request = requests.get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/v5/clients/dev%201/unsubscribe/bulk");
        assertThat(request.authorization()).startsWith("Basic ");
        assertThat(new JsonArray(request.body())).isEqualTo(new JsonArray(
                "[{\"topic\":\"devices/dev1/cmd\"},{\"topic\":\"all/#\"}]"));
    }

    @Test
    void mqttBrokerControlCannotUnsubscribe() {
        RuntimeConfig config = runtimeConfig(Map.of());
        BrokerControl mqtt = BrokerControlProducer.create(config.brokerControl(), new MqttIngress(config), vertx);
        assertThatThrownBy(() -> mqtt.unsubscribe("c", List.of("t")).await().atMost(WAIT))
                .hasMessageContaining("cannot unsubscribe client c");
    }

    @Test
    void notFoundIsAPermanentFailureNamingTheStatus() {
        status = 404;
        responseBody = "{\"code\":\"CLIENTID_NOT_FOUND\",\"message\":\"Client ID not found\"}";
        assertThatThrownBy(() -> control().subscribe("gone", List.of(new Subscription("t", 1))).await().atMost(WAIT))
                .isInstanceOfSatisfying(BrokerControlException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.isTransient()).isFalse();
                    assertThat(e.getMessage()).contains("404").contains("CLIENTID_NOT_FOUND");
                });
    }

    @Test
    void emqxTypeNeedsUrlAndApiKey() {
        RuntimeConfig config = runtimeConfig(Map.of("broker-control.type", "emqx",
                "broker-control.emqx.api-key", "k"));
        assertThatThrownBy(() -> BrokerControlProducer.create(config.brokerControl(), new MqttIngress(config), vertx))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mqttbackends.broker-control.emqx.url")
                .hasMessageContaining("mqttbackends.broker-control.emqx.api-secret")
                .hasMessageNotContaining("api-key,");
        RuntimeConfig mqtt = runtimeConfig(Map.of());
        assertThat(BrokerControlProducer.create(mqtt.brokerControl(), new MqttIngress(mqtt), vertx))
                .isInstanceOf(MqttBrokerControl.class);
    }

    private BrokerControl control() {
        RuntimeConfig config = runtimeConfig(Map.of(
                "broker-control.type", "emqx",
                "broker-control.emqx.url", "http://127.0.0.1:" + server.actualPort() + "/",
                "broker-control.emqx.api-key", "key1",
                "broker-control.emqx.api-secret", "secret1"));
        return BrokerControlProducer.create(config.brokerControl(), new MqttIngress(config), vertx);
    }
}
