package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientDisconnected;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.SessionSubscribed;
import io.mqttbackends.runtime.event.SessionUnsubscribed;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmqxSysDecoderTest {

    private static final long RECEIVED = 1_700_000_009_999L;

    private final EmqxSysDecoder decoder = new EmqxSysDecoder();

    private DecodeResult decode(String topic, String json) {
        return decoder.decode(new IncomingPublish(topic, json.getBytes(StandardCharsets.UTF_8), 1, false, Map.of(),
                RECEIVED));
    }

    private Event event(String topic, String json) {
        DecodeResult result = decode(topic, json);
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        return ((DecodeResult.Decoded) result).event();
    }

    @Test
    void connected() {
        ClientConnected e = (ClientConnected) event("$SYS/brokers/emqx@10.0.0.1/clients/c1/connected", """
                {"clientid":"c1","username":"u1","ipaddress":"10.0.0.7","sockport":1883,"protocol":"mqtt",
                 "proto_name":"MQTT","proto_ver":5,"connected_at":1700000000100,"ts":1700000000123,"keepalive":60,
                 "clean_start":true,"expiry_interval":0}""");
        assertThat(e.clientid()).isEqualTo("c1");
        assertThat(e.username()).contains("u1");
        assertThat(e.peerhost()).contains("10.0.0.7");
        assertThat(e.node()).isEqualTo("emqx@10.0.0.1");
        assertThat(e.timestamp()).isEqualTo(1_700_000_000_123L);
    }

    @Test
    void disconnectedWithNonDollarPrefix() {
        ClientDisconnected e = (ClientDisconnected) event("test-x/brokers/n1/clients/c1/disconnected", """
                {"clientid":"c1","username":null,"ipaddress":"::1","reason":"tcp_closed",
                 "disconnected_at":1700000001000}""");
        assertThat(e.reason()).isEqualTo("tcp_closed");
        assertThat(e.peerhost()).contains("::1");
        assertThat(e.node()).isEqualTo("n1");
        assertThat(e.timestamp()).isEqualTo(1_700_000_001_000L);
    }

    @Test
    void subscribedAndUnsubscribed() {
        SessionSubscribed s = (SessionSubscribed) event("$SYS/brokers/n1/clients/c1/subscribed", """
                {"clientid":"c1","username":"u","protocol":"mqtt","topic":"devices/c1/#",
                 "subopts":{"qos":2,"nl":0,"rap":0,"rh":0,"is_new":false},"ts":1700000002000}""");
        assertThat(s.filter()).isEqualTo("devices/c1/#");
        assertThat(s.qos()).isEqualTo(2);
        assertThat(s.isNew()).isFalse();
        assertThat(((SessionSubscribed) event("$SYS/brokers/n1/clients/c1/subscribed",
                "{\"topic\":\"t\",\"subopts\":{\"qos\":1}}")).isNew()).isTrue();

        SessionUnsubscribed u = (SessionUnsubscribed) event("$SYS/brokers/n1/clients/c1/unsubscribed",
                "{\"clientid\":\"c1\",\"topic\":\"devices/c1/#\",\"ts\":1}");
        assertThat(u.filter()).isEqualTo("devices/c1/#");
        assertThat(u.timestamp()).isEqualTo(1);
    }

    @Test
    void clientIdFromTopicWhenPayloadLacksItAndGatewayForm() {
        ClientConnected e = (ClientConnected) event("$SYS/brokers/n1/gateway/coap/clients/dev/7/connected", "{}");
        assertThat(e.clientid()).isEqualTo("dev/7");
        assertThat(e.node()).isEqualTo("n1");
        assertThat(e.timestamp()).isEqualTo(RECEIVED);
    }

    @Test
    void malformedKinds() {
        assertThat(decode("$SYS/brokers/n1/clients/c1/connected", "nope"))
                .isEqualTo(new DecodeResult.Malformed("not-json", ((DecodeResult.Malformed) decode(
                        "$SYS/brokers/n1/clients/c1/connected", "nope")).detail()));
        assertThat(((DecodeResult.Malformed) decode("$SYS/brokers/n1/clients/c1/kicked", "{}")).kind())
                .isEqualTo("unknown-event");
        assertThat(((DecodeResult.Malformed) decode("$SYS/brokers/n1/stats", "{}")).kind()).isEqualTo("bad-topic");
        assertThat(((DecodeResult.Malformed) decode("$SYS/brokers/n1/clients/c1/subscribed",
                "{\"clientid\":\"c1\"}")).kind()).isEqualTo("missing-field");
        assertThat(((DecodeResult.Malformed) decode("$SYS/brokers/n1/clients/c1/subscribed",
                "{\"topic\":\"t\",\"subopts\":{\"qos\":\"high\"}}")).kind()).isEqualTo("bad-field");
        assertThat(((DecodeResult.Malformed) decode("$SYS/brokers/n1/clients/c1/connected",
                "{\"ts\":\"yesterday\"}")).kind()).isEqualTo("bad-field");
    }
}
