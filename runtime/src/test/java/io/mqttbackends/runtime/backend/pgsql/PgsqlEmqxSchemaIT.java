package io.mqttbackends.runtime.backend.pgsql;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.ActionOutcome;
import io.mqttbackends.runtime.backend.sql.SqlBackendTestSupport;
import io.mqttbackends.model.conf.OfflineOpts;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.runtime.event.Message;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The functions on tables made by EMQX 4.4's own DDL: text payloads and serial int ids. */
class PgsqlEmqxSchemaIT extends SqlBackendTestSupport {
    /** EMQX 4.4's own DDL for emqx_backend_pgsql (docs/postgresql.md): text payloads, serial int ids. */
    private static final String EMQX_DDL = """
            CREATE TABLE mqtt_client (id SERIAL primary key, clientid varchar(100), state integer,
              node varchar(100), online_at timestamp, offline_at timestamp, created timestamp without time zone,
              UNIQUE (clientid));
            CREATE TABLE mqtt_sub (id SERIAL primary key, clientid varchar(100), topic varchar(200), qos integer,
              created timestamp without time zone, UNIQUE (clientid, topic));
            CREATE TABLE mqtt_msg (id SERIAL primary key, msgid varchar(60), sender varchar(100),
              topic varchar(200), qos integer, retain integer, payload text, arrived timestamp without time zone);
            CREATE TABLE mqtt_retain (id SERIAL primary key, topic varchar(200), msgid varchar(60),
              sender varchar(100), qos integer, payload text, arrived timestamp without time zone, UNIQUE (topic));
            CREATE TABLE mqtt_acked (id SERIAL primary key, clientid varchar(100), topic varchar(100),
              mid integer, created timestamp without time zone, UNIQUE (clientid, topic));
            """;

    PgsqlEmqxSchemaIT() {
        super(DatabaseKind.PGSQL);
    }

    private static final String TOPIC = "sensors/s1";
    private static final String TEXT = "température 21°C, \"quoted\" \\ 'single'";

    @Override
    protected void createTables() {
        sql(EMQX_DDL);
    }

    @Test
    void publishWritesAUtf8TextPayloadAndFetchReadsItBack() {
        run(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch", subscribed("sub", TOPIC));
        Message first = message("e1", "pub", TOPIC, 1, false, bytes(TEXT), 1_000);
        Message second = message("e2", "pub", TOPIC, 1, false, bytes("two"), 2_000);
        Message third = message("e3", "pub", TOPIC, 1, false, bytes("three"), 3_000);
        for (Message m : new Message[] {first, second, third}) {
            run(HookPoint.MESSAGE_PUBLISH, "on_message_publish", publish(m));
        }
        assertThat(sql("SELECT payload FROM mqtt_msg WHERE msgid = 'e1'").get(0).getString("payload"))
                .isEqualTo(TEXT);

        run(HookPoint.MESSAGE_ACKED, "on_message_acked", acked("sub", first));
        ActionOutcome outcome = run(functionHook(HookPoint.SESSION_SUBSCRIBED, "on_message_fetch",
                new OfflineOpts(OptionalInt.of(10), Optional.empty())), subscribed("sub", TOPIC));

        assertThat(deliveredIds(outcome, "sub")).containsExactly("e2", "e3");
        assertThat(((ActionOutcome.Deliver) outcome).messages().get(0).payload()).isEqualTo(bytes("two"));
    }

    @Test
    void retainLookupAndDeleteWorkOnATextPayloadColumn() {
        run(HookPoint.MESSAGE_PUBLISH, "on_message_retain",
                publish(message("r1", "pub", TOPIC, 1, true, bytes(TEXT), 1_000)));
        assertThat(sql("SELECT payload FROM mqtt_retain").get(0).getString("payload")).isEqualTo(TEXT);

        ActionOutcome outcome = run(HookPoint.SESSION_SUBSCRIBED, "on_retain_lookup", subscribed("sub", TOPIC));
        assertThat(((ActionOutcome.Deliver) outcome).messages()).singleElement()
                .satisfies(m -> assertThat(m.payload()).isEqualTo(bytes(TEXT)));

        run(HookPoint.MESSAGE_PUBLISH, "on_retain_delete",
                publish(message("r2", "pub", TOPIC, 1, true, new byte[0], 2_000)));
        assertThat(sql("SELECT * FROM mqtt_retain")).isEmpty();
    }
}
