package io.mqttbackends.model.conf;

import static io.mqttbackends.model.conf.Confs.FILE;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Values that would load but then exhaust memory or time are refused at load, at their file and line: a pool size of
 * a billion used to end in an OutOfMemoryError at start, a hook nested 10,000 deep in a NullPointerException.
 */
class ConfLimitsTest {

    @ParameterizedTest
    @CsvSource({
            "backend.pgsql.p.pool_size = 257,          pool_size = 257 is out of range: allowed 1..256",
            "backend.mysql.p.pool_size = 1000000000,   pool_size = 1000000000 is out of range: allowed 1..256",
            "backend.redis.p.pool_size = 20000000,     pool_size = 20000000 is out of range: allowed 1..256",
            "backend.mongo.p.c_pool_size = 300,        c_pool_size = 300 is out of range: allowed 1..256",
            "backend.ecql.p.size = 1000,               size = 1000 is out of range: allowed 1..256",
            "backend.pgsql.p.batch_size = 10001,       batch_size = 10001 is out of range: allowed 1..10000",
            "backend.pgsql.p.batch_time = 60001,       batch_time = 60001 is out of range: allowed 0..60000 ms",
            "backend.redis.p.call_timeout = 99,        call_timeout = 99 is out of range: allowed 100..600000 ms",
            "backend.pgsql.p.call_timeout = 600001,    call_timeout = 600001 is out of range: allowed 100..600000 ms",
            "backend.mongo.topology.pool_size = 257,   pool_size = 257 is out of range: allowed 1..256",
            "backend.mongo.topology.socket_timeout_ms = 600001, socket_timeout_ms = 600001 is out of range: allowed 1..600000 ms",
            "backend.mongo.topology.heartbeat_frequency_ms = 100, heartbeat_frequency_ms = 100 is out of range: "
                    + "allowed 500..3600000 ms"})
    void anIntegerOutsideItsRangeIsAnErrorNamingKeyValueAndRangeAtItsLine(String line, String message) {
        String key = line.substring(0, line.indexOf(' '));

        assertThat(Confs.errors("# a comment", line)).containsExactly(
                new ConfigError(new ConfigLocation(FILE, 2, key), message));
    }

    @Test
    void theBoundsThemselvesAreAccepted() {
        BackendsConfig cfg = Confs.parse(
                "backend.pgsql.low.pool_size = 1",
                "backend.pgsql.low.batch_size = 1",
                "backend.pgsql.low.batch_time = 0",
                "backend.pgsql.low.call_timeout = 100",
                "backend.pgsql.high.pool_size = 256",
                "backend.pgsql.high.batch_size = 10000",
                "backend.pgsql.high.batch_time = 60000",
                "backend.pgsql.high.call_timeout = 600000");

        assertThat(cfg.pool(DatabaseKind.PGSQL, "high").orElseThrow().poolSize()).isEqualTo(256);
        assertThat(cfg.pool(DatabaseKind.PGSQL, "low").orElseThrow().intValue("call_timeout")).isEqualTo(100);
    }

    @Test
    void aHookNestedTenThousandDeepIsAnErrorAtItsLineNotACrash() {
        String deep = "{\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\", \"offline_opts\": "
                + "{\"x\": " + "[".repeat(10_000) + "]".repeat(10_000) + "}}";

        assertThat(Confs.errors(Confs.PGSQL_POOL, "backend.pgsql.hook.message.publish.1 = " + deep))
                .containsExactly(new ConfigError(new ConfigLocation(FILE, 2, "backend.pgsql.hook.message.publish.1"),
                        "the hook's JSON nests deeper than 32 levels"));
    }

    @Test
    void nestingUpToTheLimitIsParsed() {
        // offline_opts ignores keys it does not know (EMQX 4.4's conf grammar, docs/configuration.md), so depth alone
        // decides: 2 objects + 30 arrays = 32.
        String atLimit = "{\"action\": {\"function\": \"on_message_fetch\"}, \"pool\": \"pool1\", \"offline_opts\": "
                + "{\"x\": " + "[".repeat(30) + "]".repeat(30) + "}}";

        assertThat(Confs.parse(Confs.PGSQL_POOL, "backend.pgsql.hook.session.subscribed.1 = " + atLimit).hooks())
                .hasSize(1);
        assertThat(Confs.errors(Confs.PGSQL_POOL, "backend.pgsql.hook.session.subscribed.1 = "
                + atLimit.replace("[]", "[[]]"))).extracting(ConfigError::message)
                .containsExactly("the hook's JSON nests deeper than 32 levels");
    }

    @Test
    void aHookLongerThan64KiBIsAnErrorAtItsLine() {
        String statement = "insert into t values (${clientid})" + " ".repeat(HookParser.MAX_LENGTH);
        String line = "backend.pgsql.hook.client.connected.1 = {\"action\": {\"sql\": [\"" + statement
                + "\"]}, \"pool\": \"pool1\"}";

        assertThat(Confs.errors(Confs.PGSQL_POOL, line)).singleElement().satisfies(e -> {
            assertThat(e.location().line()).isEqualTo(2);
            assertThat(e.message()).matches("the hook is \\d+ characters long; at most 65536 are allowed");
        });
    }
}
