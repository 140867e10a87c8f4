package io.mqttbackends.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void defaultsAreTheIssueFigures() {
        BenchOptions o = BenchOptions.parse();

        assertThat(o.db()).isEqualTo(BenchOptions.Database.PGSQL);
        assertThat(o.messages()).isEqualTo(200_000);
        assertThat(o.publishers()).isEqualTo(4);
        assertThat(o.payloadBytes()).isEqualTo(256);
        assertThat(o.rate()).isZero();
        assertThat(o.halfRate()).isFalse();
        assertThat(o.repeat()).isEqualTo(1);
        assertThat(o.warmup()).isEqualTo(50_000);
        assertThat(o.dbPort()).isEqualTo(5432);
        assertThat(o.dbUser()).isEqualTo("postgres");
    }

    @Test
    void everyOptionIsTaken() {
        BenchOptions o = BenchOptions.parse("--db", "mysql", "--messages", "500", "--publishers", "2", "--payload",
                "64", "--rate", "1500.5", "--half-rate", "--repeat", "3", "--warmup", "0", "--json", "out.json", "--mqtt-port", "2883",
                "--db-name", "x", "--runtime-pid", "77");

        assertThat(o.db()).isEqualTo(BenchOptions.Database.MYSQL);
        assertThat(o.messages()).isEqualTo(500);
        assertThat(o.publishers()).isEqualTo(2);
        assertThat(o.payloadBytes()).isEqualTo(64);
        assertThat(o.rate()).isEqualTo(1500.5);
        assertThat(o.halfRate()).isTrue();
        assertThat(o.repeat()).isEqualTo(3);
        assertThat(o.warmup()).isZero();
        assertThat(o.json()).contains(Path.of("out.json"));
        assertThat(o.mqttPort()).isEqualTo(2883);
        assertThat(o.dbPort()).isEqualTo(3306);
        assertThat(o.dbUser()).isEqualTo("root");
        assertThat(o.dbName()).isEqualTo("x");
        assertThat(o.runtimePid()).isEqualTo(77);
    }

    @Test
    void mongoHasItsDefaultPortAndNoUser() {
        BenchOptions o = BenchOptions.parse("--db", "mongo", "--batch-rows", "250");

        assertThat(o.db()).isEqualTo(BenchOptions.Database.MONGO);
        assertThat(o.db().confName()).isEqualTo("mongo");
        assertThat(o.dbPort()).isEqualTo(27017);
        assertThat(o.dbUser()).isEmpty();
        assertThat(o.batchRows()).isEqualTo(250);
    }

    @Test
    void cassandraHasItsDefaultPortNoUserAndTakesThePoolSizeForItsWriters() {
        BenchOptions o = BenchOptions.parse("--db", "cassandra", "--ceiling-connections", "8");

        assertThat(o.db()).isEqualTo(BenchOptions.Database.CASSANDRA);
        assertThat(o.db().confName()).isEqualTo("cassandra");
        assertThat(o.dbPort()).isEqualTo(9042);
        assertThat(o.dbUser()).isEmpty();
        assertThat(o.ceilingConnections()).isEqualTo(8);
    }

    @Test
    void badValuesNameTheOption() {
        assertThatThrownBy(() -> BenchOptions.parse("--db", "oracle")).hasMessage(
                "--db oracle: one of pgsql, mysql, redis, mongo, cassandra");
        assertThatThrownBy(() -> BenchOptions.parse("--messages", "lots")).hasMessage("--messages lots: not a number");
        assertThatThrownBy(() -> BenchOptions.parse("--publishers", "0")).hasMessage("--publishers 0: must be positive");
        assertThatThrownBy(() -> BenchOptions.parse("--rate", "-1")).hasMessage("--rate -1: must not be negative");
        assertThatThrownBy(() -> BenchOptions.parse("--payload", "10")).hasMessageContaining("at least 28 bytes");
        assertThatThrownBy(() -> BenchOptions.parse("--frobnicate", "1")).hasMessage("unknown option --frobnicate");
        assertThatThrownBy(() -> BenchOptions.parse("--json")).hasMessage("option --json needs a value");
        assertThatThrownBy(() -> BenchOptions.parse("--messages", "3", "--publishers", "4"))
                .hasMessage("--messages 3 is fewer than --publishers 4");
        assertThatThrownBy(() -> BenchOptions.parse("--warmup", "2", "--publishers", "4"))
                .hasMessage("--warmup 2 is fewer than --publishers 4");
    }
}
