package io.mqttbackends.runtime.broker;

import io.mqttbackends.runtime.action.BrokerControl;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * Broker control over plain MQTT: replays go out on the ingress's own session (a second session under the same client
 * id would take the first one over). Subscribing clients is impossible over MQTT.
 */
public class MqttBrokerControl implements BrokerControl {

    private final MqttIngress ingress;

    public MqttBrokerControl(MqttIngress ingress) {
        this.ingress = ingress;
    }

    @Override
    public Uni<Void> deliver(String clientid, List<StoredMessage> messages) {
        return ingress.publishInOrder(messages.stream().map(this::replay).toList());
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
    private Mqtt5Publish replay(StoredMessage message) {
        Mqtt5UserPropertiesBuilder properties = Mqtt5UserProperties.builder()
                .add(Message.ORIGIN_PROPERTY, ingress.clientId())
                .add(Message.MSGID_PROPERTY, message.msgid());
        if (message.retain()) {
            properties.add(Message.RETAINED_PROPERTY, "true");
        }
        return Mqtt5Publish.builder()
                .topic(message.topic())
                .qos(MqttQos.fromCode(message.qos()))
                .payload(message.payload())
                .retain(false)
                .userProperties(properties.build())
                .build();
    }
}
