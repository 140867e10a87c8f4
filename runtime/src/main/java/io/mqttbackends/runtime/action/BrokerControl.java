package io.mqttbackends.runtime.action;

import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.Subscription;
import io.smallrye.mutiny.Uni;
import java.util.List;

/** What the runtime can make the broker do for a client: deliver stored messages, add subscriptions. */
public interface BrokerControl {

    /**
     * Republishes {@code messages}, in order, each on its original topic at its stored QoS, marked with the
     * {@code mqttbackends-origin} and {@code mqttbackends-msgid} user properties. MQTT cannot address one client, so
     * every subscriber of the topic receives them. Completes once the broker accepted all of them.
     */
    Uni<Void> deliver(String clientid, List<StoredMessage> messages);

    /** Subscribes {@code clientid} to {@code subscriptions} from outside the client; fails when unsupported. */
    Uni<Void> subscribe(String clientid, List<Subscription> subscriptions);

    /** Removes subscriptions of {@code clientid} (topic filters as subscribed); fails when unsupported. */
    Uni<Void> unsubscribe(String clientid, List<String> topics);

    /** Whether {@link #subscribe} and {@link #unsubscribe} work with this broker (hooks needing it are rejected at load otherwise). */
    boolean canSubscribeClients();
}
