package io.mqttbackends.runtime.broker;

import io.mqttbackends.runtime.action.BrokerControl;

import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.event.Message;
import io.smallrye.mutiny.Uni;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Broker control over plain MQTT: replays go out on the ingress's own session (a second session under the same client
 * id would take the first one over). Subscribing clients is impossible over MQTT.
 */
public class MqttBrokerControl implements BrokerControl {

    private final OutgoingMessages outgoing;

    public MqttBrokerControl(OutgoingMessages outgoing) {
        this.outgoing = outgoing;
    }

    @Override
    public Uni<Void> deliver(String clientid, List<StoredMessage> messages) {
        return outgoing.publishInOrder(messages.stream().map(MqttBrokerControl::replay).toList());
    }

    @Override
    public Uni<Void> subscribe(String clientid, List<Subscription> subscriptions) {
        return Uni.createFrom().failure(new IllegalStateException("broker-control type mqtt cannot subscribe client "
                + clientid + ": MQTT has no way to subscribe another client; set mqttbackends.broker-control.type="
                + "emqx to use the EMQX REST API"));
    }

    @Override
    public Uni<Void> unsubscribe(String clientid, List<String> topics) {
        return Uni.createFrom().failure(new IllegalStateException("broker-control type mqtt cannot unsubscribe client "
                + clientid + ": MQTT has no way to unsubscribe another client; set mqttbackends.broker-control.type="
                + "emqx to use the EMQX REST API"));
    }

    @Override
    public boolean canSubscribeClients() {
        return false;
    }

    /**
     * The retain flag stays off even for retained lookups: a retained replay would overwrite the broker's own
     * retained store; the {@code mqttbackends-retained} property tells the receiver instead.
     */
    private static OutgoingMessage replay(StoredMessage message) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(Message.MSGID_PROPERTY, message.msgid());
        if (message.retain()) {
            properties.put(Message.RETAINED_PROPERTY, "true");
        }
        return new OutgoingMessage(message.topic(), message.qos(), message.payload(), properties, Optional.empty());
    }
}
