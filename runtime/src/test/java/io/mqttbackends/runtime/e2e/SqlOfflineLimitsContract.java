package io.mqttbackends.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttbackends.runtime.testing.EmqxEvents;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestSql;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The default {@code on_message_fetch} hook with {@code offline_opts} {@code max_returned_count: 2, time_range: 1h};
 * each database's test extends this with {@link SqlE2eResource} given {@link #OFFLINE_OPTS}.
 */
public abstract class SqlOfflineLimitsContract {
    static final String OFFLINE_OPTS = "{\"max_returned_count\": 2, \"time_range\": \"1h\"}";
    private static final Duration WAIT = Duration.ofSeconds(20);

    E2eDatabase database;

    @Test
    void fetchReplaysOnlyTheNewestMaxReturnedCountWithinTheTimeRangeOldestFirst() {
        String uid = UUID.randomUUID().toString().substring(0, 8);
        try (TestMqtt mqtt = new TestMqtt(database.rawPrefix() + "-limits");
                TestSql pg = database.connect().awaitEmqxTables(WAIT)) {
            String limited = database.rawPrefix() + "/limited/" + uid;
            String old = database.rawPrefix() + "/old/" + uid;
            String client = "lim-" + uid;
            for (String topic : List.of(limited, old)) {
                mqtt.publishJson(database.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
            }
            await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_acked where clientid = $1", client)
                    == 2);
            // Two messages that arrived three hours ago, outside the one-hour range.
            pg.execute("insert into mqtt_msg (msgid, sender, topic, qos, retain, payload, arrived) values"
                    + " ('OLD1', 's', '" + old + "', 1, 0, 'o1', " + database.threeHoursAgo() + "),"
                    + " ('OLD2', 's', '" + old + "', 1, 0, 'o2', " + database.threeHoursAgo() + ")");
            mqtt.publish(old, "fresh", 1, false);
            for (int i = 1; i <= 5; i++) {
                mqtt.publish(limited, "m" + i, 1, false);
            }
            await().atMost(WAIT).until(() -> pg.count("select count(*) from mqtt_msg where topic = $1", limited) == 5
                    && pg.count("select count(*) from mqtt_msg where topic = $1", old) == 3);

            assertThat(replayedOn(mqtt, client, limited, 2)).containsExactly("m4", "m5");
            assertThat(replayedOn(mqtt, client, old, 1)).containsExactly("fresh");
        }
    }

    /** Subscribes a real device to the topic, reports the session subscription, and collects the replays. */
    private List<String> replayedOn(TestMqtt mqtt, String client, String topic, int expected) {
        try (TestMqtt device = new TestMqtt(database.rawPrefix() + "-limits-device")) {
            device.subscribe(topic, 1);
            mqtt.publishJson(database.rulePrefix() + "/session.subscribed", EmqxEvents.ruleSubscribed(client, topic, 1));
            List<String> payloads = new ArrayList<>();
            for (int i = 0; i < expected; i++) {
                device.receive(WAIT.toSeconds()).ifPresent(p -> payloads.add(
                        new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
            }
            device.receive(1).ifPresent(p -> payloads.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
            return payloads;
        }
    }
}
