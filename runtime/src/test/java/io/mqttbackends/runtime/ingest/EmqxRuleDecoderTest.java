package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.runtime.event.ClientDisconnected;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.Message;
import io.mqttbackends.runtime.event.MessageAcked;
import io.mqttbackends.runtime.event.MessageDelivered;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.event.SessionSubscribed;
import io.mqttbackends.runtime.event.SessionUnsubscribed;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmqxRuleDecoderTest {

    private static final long RECEIVED = 1_700_000_009_999L;

    private final EmqxRuleDecoder decoder = new EmqxRuleDecoder("default@node", EventTrust.NONE);

    private DecodeResult decode(String json) {
        return decoder.decode(new IncomingPublish("mqttbackends/events/x", json.getBytes(StandardCharsets.UTF_8), 1,
                false, Map.of(), RECEIVED));
    }

    private Event event(String json) {
        DecodeResult result = decode(json);
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        return ((DecodeResult.Decoded) result).event();
    }

    private DecodeResult.Malformed malformed(String json) {
        DecodeResult result = decode(json);
        assertThat(result).isInstanceOf(DecodeResult.Malformed.class);
        return (DecodeResult.Malformed) result;
    }

    @Test
    void clientConnected() {
        ClientConnected e = (ClientConnected) event("""
                {"event":"client.connected","clientid":"c1","username":"u1","peername":"10.0.0.7:51234",
                 "sockname":"10.0.0.1:1883","proto_name":"MQTT","proto_ver":5,"keepalive":60,"clean_start":true,
                 "connected_at":1700000000123,"timestamp":1700000000200,"node":"emqx@10.0.0.1"}""");
        assertThat(e.clientid()).isEqualTo("c1");
        assertThat(e.username()).contains("u1");
        assertThat(e.peerhost()).contains("10.0.0.7");
        assertThat(e.timestamp()).isEqualTo(1_700_000_000_123L);
        assertThat(e.node()).isEqualTo("emqx@10.0.0.1");
    }

    @Test
    void ipv6PeernameAndDefaults() {
        ClientConnected e = (ClientConnected) event("""
                {"event":"client.connected","clientid":"c1","username":"undefined","peername":"[::1]:1234"}""");
        assertThat(e.peerhost()).contains("::1");
        assertThat(e.username()).isEmpty();
        assertThat(e.node()).isEqualTo("default@node");
        assertThat(e.timestamp()).isEqualTo(RECEIVED);
        assertThat(((ClientConnected) event("""
                {"event":"client.connected","clientid":"c1","peername":"fe80::1"}""")).peerhost()).contains("fe80::1");
    }

    @Test
    void clientDisconnected() {
        ClientDisconnected e = (ClientDisconnected) event("""
                {"event":"client.disconnected","clientid":"c1","username":null,"reason":"normal",
                 "peername":"10.0.0.7:51234","disconnected_at":1700000001000,"timestamp":1700000001005,
                 "node":"emqx@n1"}""");
        assertThat(e.reason()).isEqualTo("normal");
        assertThat(e.username()).isEmpty();
        assertThat(e.timestamp()).isEqualTo(1_700_000_001_000L);
    }

    @Test
    void sessionSubscribedAndUnsubscribed() {
        SessionSubscribed s = (SessionSubscribed) event("""
                {"event":"session.subscribed","clientid":"c1","username":"u","peerhost":"10.0.0.7",
                 "topic":"devices/c1/cmd","qos":1,"sub_props":{},"timestamp":1700000002000,"node":"n1"}""");
        assertThat(s.filter()).isEqualTo("devices/c1/cmd");
        assertThat(s.qos()).isEqualTo(1);
        assertThat(s.isNew()).isTrue();
        assertThat(s.peerhost()).contains("10.0.0.7");
        assertThat(s.timestamp()).isEqualTo(1_700_000_002_000L);
        assertThat(((SessionSubscribed) event("""
                {"event":"session.subscribed","clientid":"c1","topic":"t","qos":"2","is_new":false}""")).isNew())
                .isFalse();

        SessionUnsubscribed u = (SessionUnsubscribed) event("""
                {"event":"session.unsubscribed","clientid":"c1","topic":"devices/c1/cmd","unsub_props":{}}""");
        assertThat(u.filter()).isEqualTo("devices/c1/cmd");
    }

    @Test
    void messagePublish() {
        MessagePublish e = (MessagePublish) event("""
                {"event":"message.publish","id":"0005F8F84FAD5C9DF44200000C7B0002","clientid":"pub1",
                 "username":"u","peerhost":"10.0.0.8","topic":"sensors/1","qos":1,"flags":{"retain":true,"dup":false},
                 "payload":"hello","pub_props":{"User-Property":{"k":"v"}},"timestamp":1700000003000,
                 "publish_received_at":1700000002999,"node":"n1"}""");
        Message m = e.message();
        assertThat(e.clientid()).isEqualTo("pub1");
        assertThat(m.msgid()).isEqualTo("0005F8F84FAD5C9DF44200000C7B0002");
        assertThat(m.from()).isEqualTo("pub1");
        assertThat(m.topic()).isEqualTo("sensors/1");
        assertThat(m.qos()).isEqualTo(1);
        assertThat(m.retain()).isTrue();
        assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(m.userProperties()).containsExactly(Map.entry("k", "v"));
        assertThat(m.timestamp()).isEqualTo(1_700_000_002_999L);
        assertThat(e.timestamp()).isEqualTo(1_700_000_003_000L);
        assertThat(e.peerhost()).contains("10.0.0.8");
    }

    @Test
    void base64Payload() {
        MessagePublish e = (MessagePublish) event("""
                {"event":"message.publish","id":"AB","clientid":"p","topic":"t","qos":0,
                 "payload":"AAH/","payload_encoding":"base64"}""");
        assertThat(e.message().payload()).containsExactly(0, 1, 0xFF);
        assertThat(e.message().retain()).isFalse();
    }

    @Test
    void replayIsSkipped() {
        assertThat(decode("""
                {"event":"message.publish","id":"AB","clientid":"mqttbackends-runtime","topic":"t","qos":1,
                 "payload":"x","pub_props":{"User-Property":{"mqttbackends-origin":"mqttbackends-runtime",
                 "mqttbackends-msgid":"OLD"}}}""")).isInstanceOf(DecodeResult.Skipped.class);
    }

    @Test
    void deliveredAndAckedNameTheReceiver() {
        String fields = """
                "id":"0005F8F84FAD5C9DF44200000C7B0002","clientid":"sub1","username":"su","from_clientid":"pub1",
                "from_username":"pu","peerhost":"10.0.0.9","topic":"devices/sub1/cmd","qos":1,"flags":{"retain":false},
                "payload":"p","pub_props":{"User-Property":{"mqttbackends-msgid":"M1","mqttbackends-origin":"rt"}},
                "timestamp":1700000004000,"publish_received_at":1700000003000,"node":"n1"}""";
        MessageDelivered d = (MessageDelivered) event("{\"event\":\"message.delivered\"," + fields);
        assertThat(d.clientid()).isEqualTo("sub1");
        assertThat(d.username()).contains("su");
        assertThat(d.message().from()).isEqualTo("pub1");
        assertThat(d.timestamp()).isEqualTo(1_700_000_004_000L);
        MessageAcked a = (MessageAcked) event("{\"event\":\"message.acked\"," + fields);
        assertThat(a.clientid()).isEqualTo("sub1");
        assertThat(a.message().from()).isEqualTo("pub1");
        assertThat(a.message().storedMsgid()).isEqualTo("M1");
    }

    @Test
    void eventsWithoutHookPointAreSkipped() {
        assertThat(decode("""
                {"event":"message.dropped","id":"AB","clientid":"c","topic":"t","qos":0,"reason":"no_subscribers"}"""))
                .isInstanceOf(DecodeResult.Skipped.class);
    }

    @Test
    void malformedKinds() {
        assertThat(malformed("not json").kind()).isEqualTo("not-json");
        assertThat(malformed("[1,2]").kind()).isEqualTo("not-json");
        assertThat(malformed("").kind()).isEqualTo("not-json");
        assertThat(malformed("{\"clientid\":\"c\"}").detail()).isEqualTo("event");
        assertThat(malformed("{\"event\":\"client.connected\"}").kind()).isEqualTo("missing-field");
        assertThat(malformed("{\"event\":\"message.publish\",\"clientid\":\"c\",\"topic\":\"t\",\"qos\":1}").detail())
                .isEqualTo("id");
        assertThat(malformed("{\"event\":\"message.publish\",\"id\":\"A\",\"clientid\":\"c\",\"topic\":\"t\"}")
                .kind()).isEqualTo("missing-field");
        assertThat(malformed("{\"event\":\"client.exploded\",\"clientid\":\"c\"}").kind()).isEqualTo("unknown-event");
        assertThat(malformed("{\"event\":\"session.subscribed\",\"clientid\":\"c\",\"topic\":\"t\",\"qos\":3}")
                .kind()).isEqualTo("bad-field");
        assertThat(malformed("{\"event\":\"client.connected\",\"clientid\":\"c\",\"timestamp\":\"soon\"}").kind())
                .isEqualTo("bad-field");
        assertThat(malformed("{\"event\":\"client.connected\",\"clientid\":{\"a\":1}}").kind())
                .isEqualTo("bad-field");
        assertThat(malformed("""
                {"event":"message.publish","id":"A","clientid":"c","topic":"t","qos":1,"payload":"%%%",
                 "payload_encoding":"base64"}""").kind()).isEqualTo("bad-field");
        assertThat(malformed("""
                {"event":"message.publish","id":"A","clientid":"c","topic":"t","qos":1,"flags":"retain"}""").kind())
                .isEqualTo("bad-field");
    }
}
