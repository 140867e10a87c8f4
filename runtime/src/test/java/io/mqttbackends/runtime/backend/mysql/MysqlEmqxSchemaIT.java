package io.mqttbackends.runtime.backend.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.StoredMessage;
import io.mqttbackends.runtime.backend.sql.SqlBackendTestSupport;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.runtime.event.ClientConnected;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.event.Message;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The functions on tables made by EMQX 4.4's own MySQL DDL: utf8, {@code payload blob}, {@code arrived datetime}
 * (seconds), {@code mqtt_retain.arrived timestamp}, {@code state varchar(3)}, {@code mid int}.
 */
class MysqlEmqxSchemaIT extends SqlBackendTestSupport {
    /**
     * EMQX 4.4's own DDL for emqx_backend_mysql (the English documentation's, docs/mysql.md): utf8, {@code payload
     * blob},
     * {@code arrived datetime} in seconds, {@code mqtt_retain.arrived timestamp}, int ids.
     */
    private static final String[] EMQX_DDL = {
        """
        CREATE TABLE mqtt_client (id int(11) unsigned NOT NULL AUTO_INCREMENT, clientid varchar(64) DEFAULT NULL,
          state varchar(3) DEFAULT NULL, node varchar(100) DEFAULT NULL, online_at datetime DEFAULT NULL,
          offline_at datetime DEFAULT NULL, created timestamp NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (id),
          KEY mqtt_client_idx (clientid), UNIQUE KEY mqtt_client_key (clientid)) ENGINE=InnoDB DEFAULT CHARSET=utf8""",
        """
        CREATE TABLE mqtt_sub (id int(11) unsigned NOT NULL AUTO_INCREMENT, clientid varchar(64) DEFAULT NULL,
          topic varchar(255) DEFAULT NULL, qos int(3) DEFAULT NULL, created timestamp NULL DEFAULT CURRENT_TIMESTAMP,
          PRIMARY KEY (id), KEY mqtt_sub_idx (clientid, topic(255), qos), UNIQUE KEY mqtt_sub_key (clientid, topic))
          ENGINE=InnoDB DEFAULT CHARSET=utf8""",
        """
        CREATE TABLE mqtt_msg (id int(11) unsigned NOT NULL AUTO_INCREMENT, msgid varchar(100) DEFAULT NULL,
          topic varchar(1024) NOT NULL, sender varchar(1024) DEFAULT NULL, node varchar(60) DEFAULT NULL,
          qos int(11) NOT NULL DEFAULT '0', retain tinyint(2) DEFAULT NULL, payload blob, arrived datetime NOT NULL,
          PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8""",
        """
        CREATE TABLE mqtt_retain (id int(11) unsigned NOT NULL AUTO_INCREMENT, topic varchar(200) DEFAULT NULL,
          msgid varchar(60) DEFAULT NULL, sender varchar(100) DEFAULT NULL, node varchar(100) DEFAULT NULL,
          qos int(2) DEFAULT NULL, payload blob, arrived timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
          PRIMARY KEY (id), UNIQUE KEY mqtt_retain_key (topic)) ENGINE=InnoDB DEFAULT CHARSET=utf8""",
        """
        CREATE TABLE mqtt_acked (id int(11) unsigned NOT NULL AUTO_INCREMENT, clientid varchar(200) DEFAULT NULL,
          topic varchar(200) DEFAULT NULL, mid int(200) DEFAULT NULL, created timestamp NULL DEFAULT NULL,
          PRIMARY KEY (id), UNIQUE KEY mqtt_acked_key (clientid, topic)) ENGINE=InnoDB DEFAULT CHARSET=utf8"""
    };

    private static final String TOPIC = "sensors/s1";
    /** A whole second plus 400 ms: MariaDB truncates and MySQL rounds to the same second. */
    private static final long TS = 1_700_000_000_400L;

    MysqlEmqxSchemaIT() {
        super(DatabaseKind.MYSQL);
    }

    @Override
    protected void createTables() {
        for (String ddl : EMQX_DDL) {
            sql(ddl);
        }
    }

    @Test
    void publishAckAndFetchWorkWithSecondPrecisionAndBinaryPayloadsInBlob() {
        byte[] binary = {(byte) 0xff, 0x00, (byte) 0xfe, 0x27, 0x5c};
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));
        Message first = message("e1", "pub", TOPIC, 1, false, bytes("one"), TS);
        Message second = message("e2", "pub", TOPIC, 1, false, binary, TS + 1000);
        Message third = message("e3", "pub", TOPIC, 2, false, bytes("three"), TS + 2000);
        for (Message m : new Message[] {first, second, third}) {
            run(HookPoint.MESSAGE_PUBLISH, "on_message_publish", publish(m));
        }
        assertThat(sql("SELECT payload FROM mqtt_msg WHERE msgid = 'e2'").get(0).getBuffer("payload").getBytes())
                .isEqualTo(binary);

        run(HookPoint.MESSAGE_ACKED, "on_message_acked", acked("sub", first));
        ActionOutcome outcome = run(functionHook(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch",
                new OfflineOpts(OptionalInt.of(10), Optional.empty())), subscribed("sub", TOPIC));

        assertThat(deliveredIds(outcome, "sub")).containsExactly("e2", "e3");
        StoredMessage replay = ((ActionOutcome.Deliver) outcome).messages().get(0);
        assertThat(replay.payload()).isEqualTo(binary);
        assertThat(replay.arrived()).isEqualTo((TS + 1000) / 1000 * 1000);
        assertThat(sql("SELECT mid FROM mqtt_acked WHERE clientid = 'sub'").get(0).getLong("mid"))
                .isEqualTo(sql("SELECT id FROM mqtt_msg WHERE msgid = 'e1'").get(0).getLong("id"));
    }

    @Test
    void clientStateIsTheTextOneAndZeroOfEmqx() {
        run(HookPoint.CLIENT_CONNECTED, "on_client_connected", new ClientConnected(client("c1", TS)));
        assertThat(sql("SELECT state FROM mqtt_client WHERE clientid = 'c1'").get(0).getString("state"))
                .isEqualTo("1");
    }

    @Test
    void retainLookupAndDeleteWorkOnATimestampArrivedColumn() {
        run(HookPoint.MESSAGE_PUBLISH, "on_message_retain",
                publish(message("r1", "pub", TOPIC, 1, true, bytes("last"), TS)));

        ActionOutcome outcome = run(HookPoint.SESSION_SUBSCRIBED, "on_retain_lookup", subscribed("sub", TOPIC));
        assertThat(((ActionOutcome.Deliver) outcome).messages()).singleElement().satisfies(m -> {
            assertThat(m.payload()).isEqualTo(bytes("last"));
            assertThat(m.arrived()).isEqualTo(TS / 1000 * 1000);
            assertThat(m.retain()).isTrue();
        });

        run(HookPoint.MESSAGE_PUBLISH, "on_retain_delete",
                publish(message("r2", "pub", TOPIC, 1, true, new byte[0], TS + 1000)));
        assertThat(sql("SELECT * FROM mqtt_retain")).isEmpty();
    }
}
