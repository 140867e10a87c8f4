package io.mqttbackends.runtime.ingest;

import io.mqttbackends.runtime.event.ClientInfo;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessagePublish;
import java.util.Optional;

/**
 * Turns any publish into {@code message.publish} with a freshly minted id. MQTT does not tell a subscriber who
 * published, so publisher client id, username and peer host are empty; the time is the receive time.
 */
public final class RawDecoder implements EventDecoder {

    private final GuidGenerator ids;
    private final String node;

    /**
     * @param ids  the id source (one per process, so ids stay strictly increasing)
     * @param node the node name events are attributed to
     */
    public RawDecoder(GuidGenerator ids, String node) {
        this.ids = ids;
        this.node = node;
    }

    @Override
    public DecodeResult decode(IncomingPublish publish) {
        if (publish.userProperties().containsKey(Message.ORIGIN_PROPERTY)) {
            return new DecodeResult.Skipped("replay published by mqttbackends");
        }
        Message message = new Message(ids.next(), "", publish.topic(), publish.qos(), publish.retain(),
                publish.payload(), publish.receivedAt(), publish.userProperties());
        ClientInfo publisher = new ClientInfo("", Optional.empty(), Optional.empty(), node, publish.receivedAt());
        return new DecodeResult.Decoded(new MessagePublish(publisher, message));
    }
}
