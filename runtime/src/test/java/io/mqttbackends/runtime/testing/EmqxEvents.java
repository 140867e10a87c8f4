package io.mqttbackends.runtime.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Event payloads exactly as EMQX 5 emits them (docs/emqx-events.md): rule-engine events republished with {@code ${.}},
 * and
 * {@code $SYS/brokers/<node>/clients/<id>/<event>} messages.
 */
public final class EmqxEvents {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String NODE = "emqx@10.0.0.1";

    private EmqxEvents() {
    }

    public static String ruleConnected(String clientid, String username) {
        Map<String, Object> m = base("client.connected", clientid, username);
        m.put("peername", "192.168.1.20:52110");
        m.put("sockname", "0.0.0.0:1883");
        m.put("mountpoint", "undefined");
        m.put("proto_name", "MQTT");
        m.put("proto_ver", 5);
        m.put("keepalive", 60);
        m.put("clean_start", false);
        m.put("expiry_interval", 7200);
        m.put("is_bridge", false);
        m.put("connected_at", now());
        m.put("conn_props", Map.of());
        m.put("client_attrs", Map.of());
        return write(m);
    }

    public static String ruleDisconnected(String clientid, String username, String reason) {
        Map<String, Object> m = base("client.disconnected", clientid, username);
        m.put("reason", reason);
        m.put("peername", "192.168.1.20:52110");
        m.put("sockname", "0.0.0.0:1883");
        m.put("disconnected_at", now());
        m.put("disconn_props", Map.of());
        m.put("client_attrs", Map.of());
        return write(m);
    }

    public static String ruleSubscribed(String clientid, String topic, int qos) {
        Map<String, Object> m = base("session.subscribed", clientid, "u-" + clientid);
        m.put("peerhost", "192.168.1.20");
        m.put("topic", topic);
        m.put("qos", qos);
        m.put("sub_props", Map.of());
        m.put("client_attrs", Map.of());
        return write(m);
    }

    public static String ruleUnsubscribed(String clientid, String topic) {
        Map<String, Object> m = base("session.unsubscribed", clientid, "u-" + clientid);
        m.put("peerhost", "192.168.1.20");
        m.put("topic", topic);
        m.put("qos", 0);
        m.put("unsub_props", Map.of());
        m.put("client_attrs", Map.of());
        return write(m);
    }

    /** {@code message.publish} as the sample rule sends it: payload as plain text. */
    public static String rulePublish(String id, String from, String topic, int qos, boolean retain, String payload,
            Map<String, String> userProperties) {
        Map<String, Object> m = base("message.publish", from, "u-" + from);
        putMessage(m, id, topic, qos, retain, payload, userProperties);
        return write(m);
    }

    public static String ruleDelivered(String id, String from, String receiver, String topic, int qos,
            String payload, Map<String, String> userProperties) {
        return write(delivery("message.delivered", id, from, receiver, topic, qos, payload, userProperties));
    }

    public static String ruleAcked(String id, String from, String receiver, String topic, int qos, String payload,
            Map<String, String> userProperties) {
        Map<String, Object> m = delivery("message.acked", id, from, receiver, topic, qos, payload, userProperties);
        m.put("puback_props", Map.of());
        return write(m);
    }

    private static Map<String, Object> delivery(String event, String id, String from, String receiver, String topic,
            int qos, String payload, Map<String, String> userProperties) {
        Map<String, Object> m = base(event, receiver, "u-" + receiver);
        m.put("from_clientid", from);
        m.put("from_username", "u-" + from);
        putMessage(m, id, topic, qos, false, payload, userProperties);
        return m;
    }

    private static void putMessage(Map<String, Object> m, String id, String topic, int qos, boolean retain,
            String payload, Map<String, String> userProperties) {
        m.put("id", id);
        m.put("payload", payload);
        m.put("peerhost", "192.168.1.20");
        m.put("topic", topic);
        m.put("qos", qos);
        m.put("flags", Map.of("retain", retain, "dup", false));
        m.put("pub_props", userProperties.isEmpty() ? Map.of() : Map.of("User-Property", userProperties));
        m.put("publish_received_at", now());
    }

    /** {@code $SYS/brokers/<node>/clients/<clientid>/connected} payload. */
    public static String sysConnected(String clientid) {
        Map<String, Object> m = sysBase(clientid);
        m.put("ipaddress", "192.168.1.21");
        m.put("sockport", 1883);
        m.put("proto_name", "MQTT");
        m.put("proto_ver", 5);
        m.put("connected_at", now());
        m.put("keepalive", 60);
        m.put("clean_start", true);
        m.put("expiry_interval", 0);
        return write(m);
    }

    public static String sysDisconnected(String clientid, String reason) {
        Map<String, Object> m = sysBase(clientid);
        m.put("ipaddress", "192.168.1.21");
        m.put("sockport", 1883);
        m.put("proto_name", "MQTT");
        m.put("proto_ver", 5);
        m.put("connected_at", now() - 1000);
        m.put("reason", reason);
        m.put("disconnected_at", now());
        return write(m);
    }

    public static String sysSubscribed(String clientid, String topic, int qos) {
        Map<String, Object> m = sysBase(clientid);
        m.put("topic", topic);
        m.put("subopts", Map.of("qos", qos, "nl", 0, "rap", 0, "rh", 0, "is_new", true, "sub_props", Map.of()));
        return write(m);
    }

    public static String sysUnsubscribed(String clientid, String topic) {
        Map<String, Object> m = sysBase(clientid);
        m.put("topic", topic);
        return write(m);
    }

    private static Map<String, Object> sysBase(String clientid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clientid", clientid);
        m.put("username", "u-" + clientid);
        m.put("protocol", "mqtt");
        m.put("ts", now());
        return m;
    }

    private static Map<String, Object> base(String event, String clientid, String username) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.put("clientid", clientid);
        m.put("username", username);
        m.put("timestamp", now());
        m.put("node", NODE);
        return m;
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    private static String write(Map<String, Object> m) {
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
