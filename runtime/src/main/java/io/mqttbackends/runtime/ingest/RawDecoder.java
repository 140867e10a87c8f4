package io.mqttbackends.runtime.ingest;

import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessagePublish;
import java.util.Map;
import java.util.Optional;

/**
 * Turns any publish into {@code message.publish} with a freshly minted id. MQTT does not tell a subscriber who
 * published, so publisher client id, username and peer host are empty; the time is the receive time.
 */
public final class RawDecoder implements EventDecoder {

    private final GuidGenerator ids;
    private final String node;
    private final EventTrust trust;

    /**
     * @param ids   the id source (one per process, so ids stay strictly increasing)
     * @param node  the node name events are attributed to
     * @param trust which origin properties to believe
     */
    RawDecoder(GuidGenerator ids, String node, EventTrust trust) {
        this.ids = ids;
        this.node = node;
        this.trust = trust;
    }

    @Override
    public DecodeResult decode(IncomingPublish publish) {
        Map<String, String> properties = trust.believedProperties(publish.topic(), publish.userProperties(),
                publish.payload());
        if (properties.containsKey(Message.ORIGIN_PROPERTY)) {
            return new DecodeResult.Skipped("replay published by mqttbackends");
        }
        Message message = new Message(ids.next(), "", publish.topic(), publish.qos(), publish.retain(),
                publish.payload(), publish.receivedAt(), properties);
        ClientInfo publisher = new ClientInfo("", Optional.empty(), Optional.empty(), node, publish.receivedAt());
        return new DecodeResult.Decoded(new MessagePublish(publisher, message));
    }
}
