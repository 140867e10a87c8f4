package io.mqttbackends.runtime.backend;

import java.util.List;

/**
 * What an action asks of the broker after it ran: nothing, subscribe a client (subscribe lookup), unsubscribe one
 * (a Redis control-channel message), or deliver stored messages to a client (offline fetch, retained lookup). The
 * action stage carries these out through broker control.
 */
public sealed interface ActionOutcome {

    /** Nothing to do in the broker. */
    ActionOutcome NONE = new Done();

    record Done() implements ActionOutcome {
    }

    record SubscribeClient(String clientid, List<Subscription> subscriptions) implements ActionOutcome {
        public SubscribeClient {
            subscriptions = List.copyOf(subscriptions);
        }
    }

    record UnsubscribeClient(String clientid, List<String> topics) implements ActionOutcome {
        public UnsubscribeClient {
            topics = List.copyOf(topics);
        }
    }

    /** Messages to replay, in the order they must arrive. */
    record Deliver(String clientid, List<StoredMessage> messages) implements ActionOutcome {
        public Deliver {
            messages = List.copyOf(messages);
        }
    }
}
