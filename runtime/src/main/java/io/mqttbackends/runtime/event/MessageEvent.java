package io.mqttbackends.runtime.event;

import io.mqttbackends.model.Placeholder;
import java.util.Optional;

/** An event that carries an application message: publish, delivered or acked. */
public sealed interface MessageEvent extends Event permits MessagePublish, MessageDelivered, MessageAcked {

    Message message();

    @Override
    default Optional<String> topic() {
        return Optional.of(message().topic());
    }

    @Override
    default Object placeholderValue(Placeholder placeholder) {
        Message m = message();
        return switch (placeholder) {
            case MSGID -> m.storedMsgid();
            case QOS -> m.qos();
            case RETAIN -> m.retain() ? 1 : 0;
            case PAYLOAD -> m.payload();
            default -> Event.super.placeholderValue(placeholder);
        };
    }
}
