package io.mqttbackends.runtime.event;

import java.util.Objects;
import java.util.Optional;

/**
 * What every event knows about the client it concerns.
 *
 * @param clientid  the client id (never empty)
 * @param username  the username, if known
 * @param peerhost  the peer IP, if known
 * @param node      the broker node name
 * @param timestamp event time, epoch milliseconds
 */
public record ClientInfo(String clientid, Optional<String> username, Optional<String> peerhost, String node,
        long timestamp) {
    public ClientInfo {
        Objects.requireNonNull(clientid, "clientid");
        Objects.requireNonNull(node, "node");
        username = username == null ? Optional.empty() : username;
        peerhost = peerhost == null ? Optional.empty() : peerhost;
    }
}
