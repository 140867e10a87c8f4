package io.mqttbackends.runtime.broker;

import io.mqttbackends.model.LogText;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageEvent;
import io.mqttbackends.runtime.event.SessionSubscribed;
import io.mqttbackends.runtime.action.DeadLetter;
import io.mqttbackends.runtime.action.DeadLetterSink;
import io.mqttbackends.runtime.action.PayloadTooLargeException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Publishes a record of every action the runtime gave up on (its retries exhausted, alone in its batch) to the
 * dead-letter topic, so that an operator can see and replay what did not reach the database. The record is JSON:
 * the hook line, pool, action and error, and the event with its payload in base64. It goes out on the runtime's own
 * session, marked with {@code mqttbackends-origin} like replays, so the runtime never consumes it as an event.
 */
@ApplicationScoped
public class DeadLetters implements DeadLetterSink {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RuntimeConfig.DeadLetter config;
    private final OutgoingMessages outgoing;

    public DeadLetters(RuntimeConfig config, OutgoingMessages outgoing) {
        this.config = config.deadLetter();
        this.outgoing = outgoing;
    }

    /** Publishes the record; completes when the broker took it or the publish failed (logged), never fails. */
    @Override
    public Uni<Void> publish(DeadLetter letter) {
        if (!config.enabled()) {
            return Uni.createFrom().voidItem();
        }
        OutgoingMessage message = new OutgoingMessage(config.topic(), 1,
                record(letter).toString().getBytes(StandardCharsets.UTF_8), Map.of(),
                Optional.of("application/json"));
        return outgoing.publishInOrder(List.of(message))
                .onFailure().invoke(f -> LOG.errorf("could not publish the dead letter of %s to %s: %s",
                        letter.where(), config.topic(), LogText.of(f.toString())))
                .onFailure().recoverWithNull();
    }

    static ObjectNode record(DeadLetter letter) {
        Event event = letter.event();
        Throwable failure = letter.failure();
        ObjectNode node = JSON.createObjectNode().put("hook", letter.where());
        letter.pool().ifPresent(pool -> node.put("pool", pool));
        letter.action().ifPresent(action -> node.put("action", action));
        node.put("error", failure.getClass().getSimpleName() + ": " + failure.getMessage())
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
                    .put("from", m.from());
            if (failure instanceof PayloadTooLargeException tooLarge) {
                // The payload is what was refused: a record carrying it would be as large.
                node.put("payload_size", tooLarge.size());
            } else {
                node.put("payload", Base64.getEncoder().encodeToString(m.payload()))
                        .put("payload_encoding", "base64");
            }
        }
        return node;
    }
}
