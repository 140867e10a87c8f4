package io.mqttbackends.runtime.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageEvent;
import io.mqttbackends.runtime.event.SessionSubscribed;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Publishes a record of every action the runtime gave up on (its retries exhausted, alone in its batch) to the
 * dead-letter topic, so that an operator can see and replay what did not reach the database. The record is JSON:
 * the hook line, pool, action and error, and the event with its payload in base64. It goes out on the runtime's own
 * session, marked with {@code mqttbackends-origin} like replays, so the runtime never consumes it as an event.
 */
@ApplicationScoped
public class DeadLetters {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RuntimeConfig.DeadLetter config;
    private final MqttIngress ingress;

    public DeadLetters(RuntimeConfig config, MqttIngress ingress) {
        this.config = config.deadLetter();
        this.ingress = ingress;
    }

    /** Publishes the record; completes when the broker took it or the publish failed (logged), never fails. */
    public Uni<Void> publish(HookConfig hook, String pool, Event event, Throwable failure) {
        if (!config.enabled()) {
            return Uni.createFrom().voidItem();
        }
        Mqtt5Publish record = Mqtt5Publish.builder()
                .topic(config.topic())
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(record(hook, pool, event, failure).toString().getBytes(StandardCharsets.UTF_8))
                .contentType("application/json")
                .userProperties().add(Message.ORIGIN_PROPERTY, ingress.clientId()).applyUserProperties()
                .build();
        return ingress.publishInOrder(List.of(record))
                .onFailure().invoke(f -> LOG.errorf("could not publish the dead letter of hook %s to %s: %s",
                        hook.location(), config.topic(), f.toString()))
                .onFailure().recoverWithNull();
    }

    static ObjectNode record(HookConfig hook, String pool, Event event, Throwable failure) {
        ObjectNode node = JSON.createObjectNode()
                .put("hook", hook.location().toString())
                .put("pool", pool)
                .put("action", hook.actionName())
                .put("error", failure.getClass().getSimpleName() + ": " + failure.getMessage())
                .put("hookpoint", event.hookPoint().confName())
                .put("clientid", event.clientid())
                .put("node", event.node())
                .put("timestamp", event.timestamp());
        event.topic().ifPresent(topic -> node.put("topic", topic));
        if (event instanceof SessionSubscribed subscribed) {
            node.put("qos", subscribed.qos());
        }
        if (event instanceof MessageEvent message) {
            Message m = message.message();
            node.put("msgid", m.storedMsgid()).put("qos", m.qos()).put("retain", m.retain())
                    .put("from", m.from())
                    .put("payload", Base64.getEncoder().encodeToString(m.payload()))
                    .put("payload_encoding", "base64");
        }
        return node;
    }
}
