package io.mqttbackends.model.conf;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code retention.*} keys of the SQL pools: off by default, typed, bounded, and refused on other databases. */
class RetentionKeysTest {

    @Test
    void retentionIsOffByDefaultWithAOneMinuteIntervalAndBatchesOfAThousand() {
        PoolConfig pool = Confs.parse(Confs.PGSQL_POOL).pool(DatabaseKind.PGSQL, "pool1").orElseThrow();

        assertThat(pool.duration("retention.max_age")).isEmpty();
        assertThat(pool.optional("retention.max_per_topic")).isEmpty();
        assertThat(pool.duration("retention.interval")).contains(Duration.ofMinutes(1));
        assertThat(pool.intValue("retention.batch_size")).isEqualTo(1000);
    }

    @Test
    void writtenRetentionKeysParseOnPgsqlAndMysqlPools() {
        BackendsConfig cfg = Confs.parse(
                "backend.pgsql.p.retention.max_age = 7d",
                "backend.pgsql.p.retention.max_per_topic = 10000",
                "backend.pgsql.p.retention.interval = 1h30m",
                "backend.pgsql.p.retention.batch_size = 250",
                "backend.mysql.m.retention.max_age = \"36h\"");

        PoolConfig pgsql = cfg.pool(DatabaseKind.PGSQL, "p").orElseThrow();
        assertThat(pgsql.duration("retention.max_age")).contains(Duration.ofDays(7));
        assertThat(pgsql.intValue("retention.max_per_topic")).isEqualTo(10_000);
        assertThat(pgsql.duration("retention.interval")).contains(Duration.ofMinutes(90));
        assertThat(pgsql.intValue("retention.batch_size")).isEqualTo(250);
        assertThat(cfg.pool(DatabaseKind.MYSQL, "m").orElseThrow().duration("retention.max_age"))
                .isEqualTo(Optional.of(Duration.ofHours(36)));
    }

    @Test
    void badRetentionValuesAreEachReportedAtTheirFileLineAndKey() {
        assertThat(Confs.errors(
                "backend.pgsql.p.retention.max_age = 7 days",
                "backend.pgsql.q.retention.max_age = 0s",
                "backend.pgsql.r.retention.max_age = 3651d",
                "backend.pgsql.s.retention.max_age = 99999999999999999999d",
                "backend.mysql.m.retention.max_per_topic = 0",
                "backend.mysql.n.retention.max_per_topic = lots",
                "backend.mysql.m.retention.interval = 2d",
                "backend.mysql.m.retention.batch_size = 100001",
                "backend.mysql.m.retention.max_ages = 7d"))
                .extracting(ConfigError::toString).containsExactly(
                        Confs.FILE + ":1: backend.pgsql.p.retention.max_age: '7 days' is not valid for "
                                + "retention.max_age: expected a duration like 30m, 7d or 1h30m (units d, h, m, s) "
                                + "from 1s to 3650d",
                        Confs.FILE + ":2: backend.pgsql.q.retention.max_age: '0s' is not valid for "
                                + "retention.max_age: expected a duration like 30m, 7d or 1h30m (units d, h, m, s) "
                                + "from 1s to 3650d",
                        Confs.FILE + ":3: backend.pgsql.r.retention.max_age: '3651d' is not valid for "
                                + "retention.max_age: expected a duration like 30m, 7d or 1h30m (units d, h, m, s) "
                                + "from 1s to 3650d",
                        Confs.FILE + ":4: backend.pgsql.s.retention.max_age: '99999999999999999999d' is not valid "
                                + "for retention.max_age: expected a duration like 30m, 7d or 1h30m (units d, h, m, "
                                + "s) from 1s to 3650d",
                        Confs.FILE + ":5: backend.mysql.m.retention.max_per_topic: '0' is not valid for "
                                + "retention.max_per_topic: expected a positive integer",
                        Confs.FILE + ":6: backend.mysql.n.retention.max_per_topic: 'lots' is not valid for "
                                + "retention.max_per_topic: expected a positive integer",
                        Confs.FILE + ":7: backend.mysql.m.retention.interval: '2d' is not valid for "
                                + "retention.interval: expected a duration like 30m, 7d or 1h30m (units d, h, m, s) "
                                + "from 1s to 1d",
                        Confs.FILE + ":8: backend.mysql.m.retention.batch_size: retention.batch_size = 100001 is "
                                + "out of range: allowed 1..100000 rows",
                        Confs.FILE + ":9: backend.mysql.m.retention.max_ages: unknown key 'retention.max_ages' for "
                                + "mysql pools (did you mean 'retention.max_age'?)");
    }

    @Test
    void retentionOnADatabaseWithoutItSaysWhichPoolsHaveIt() {
        assertThat(Confs.errors(
                "backend.redis.r.retention.max_age = 7d",
                "backend.mongo.m.retention.max_per_topic = 10",
                "backend.ecql.c.retention.interval = 1m"))
                .extracting(ConfigError::message).containsExactly(
                        "unknown key 'retention.max_age' for redis pools (it is a key of mysql and pgsql pools "
                                + "only)",
                        "unknown key 'retention.max_per_topic' for mongo pools (it is a key of mysql and pgsql "
                                + "pools only)",
                        "unknown key 'retention.interval' for ecql pools (it is a key of mysql and pgsql pools "
                                + "only)");
    }
}
