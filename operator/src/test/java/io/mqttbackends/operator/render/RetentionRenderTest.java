package io.mqttbackends.operator.render;

import static io.mqttbackends.operator.testing.Resources.pool;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.BackendsConfig;
import io.mqttbackends.model.conf.ConfFile;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.operator.api.v1alpha1.PoolType;
import io.mqttbackends.operator.api.v1alpha1.Reason;
import io.mqttbackends.operator.api.v1alpha1.RetentionOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** spec.retention of a BackendPool: the runtime's retention.* keys, on the pool types that have them only. */
class RetentionRenderTest {

    private static Rendering render(io.mqttbackends.operator.api.v1alpha1.BackendPool... pools) {
        return NamespaceRenderer.render("ns1", List.of(pools), List.of(), name -> Optional.empty(),
                EnumSet.allOf(DatabaseKind.class));
    }

    private static RetentionOptions retention(Consumer<RetentionOptions> customize) {
        RetentionOptions retention = new RetentionOptions();
        customize.accept(retention);
        return retention;
    }

    private static List<String> lines(String conf) {
        return Arrays.stream(conf.split("\n")).filter(l -> !l.startsWith("#")).toList();
    }

    @Test
    void pgsqlAndMysqlPoolsRenderTheirRetentionAsTheKeysTheRuntimeLoaderReads() throws Exception {
        Rendering r = render(
                pool("pg1", PoolType.PGSQL, s -> s.setRetention(retention(ret -> {
                    ret.setMaxAge("7d");
                    ret.setMaxPerTopic(10_000);
                    ret.setInterval("30s");
                    ret.setBatchSize(500);
                }))),
                pool("my1", PoolType.MYSQL, s -> s.setRetention(retention(ret -> ret.setMaxAge("1h30m")))));

        assertThat(lines(r.backendsConf())).containsExactly(
                "backend.mysql.my1.server = 127.0.0.1:3306",
                "backend.mysql.my1.retention.max_age = 1h30m",
                "backend.pgsql.pg1.server = 127.0.0.1:5432",
                "backend.pgsql.pg1.retention.max_age = 7d",
                "backend.pgsql.pg1.retention.max_per_topic = 10000",
                "backend.pgsql.pg1.retention.interval = 30s",
                "backend.pgsql.pg1.retention.batch_size = 500");
        BackendsConfig config = ConfLoader.parse(List.of(new ConfFile(Path.of(Rendering.BACKENDS_FILE),
                r.backendsConf())));
        PoolConfig pg = config.pool(DatabaseKind.PGSQL, "pg1").orElseThrow();
        assertThat(pg.duration("retention.max_age")).contains(Duration.ofDays(7));
        assertThat(pg.intValue("retention.max_per_topic")).isEqualTo(10_000);
        PoolConfig my = config.pool(DatabaseKind.MYSQL, "my1").orElseThrow();
        assertThat(my.duration("retention.max_age")).contains(Duration.ofMinutes(90));
        // Not given: the runtime's defaults.
        assertThat(my.get("retention.interval")).isEqualTo("1m");
        assertThat(my.get("retention.batch_size")).isEqualTo("1000");
    }

    @Test
    void retentionOnOtherPoolTypesAndBadValuesAreRefusedByTheRuntimesValidatorWhileTheRestRenders() {
        Rendering r = render(
                pool("r1", PoolType.REDIS, s -> s.setRetention(retention(ret -> ret.setMaxAge("7d")))),
                pool("m1", PoolType.MONGO, s -> s.setRetention(retention(ret -> ret.setMaxPerTopic(5)))),
                pool("c1", PoolType.CASSANDRA, s -> s.setRetention(retention(ret -> ret.setInterval("1m")))),
                pool("forever", PoolType.PGSQL, s -> s.setRetention(retention(ret -> ret.setMaxAge("3651d")))),
                pool("hasty", PoolType.MYSQL, s -> s.setRetention(retention(ret -> ret.setInterval("2d")))),
                pool("ok", PoolType.PGSQL, s -> s.setRetention(retention(ret -> ret.setMaxPerTopic(3)))));

        assertThat(r.pools().get("r1").problem().orElseThrow().message()).isEqualTo(
                "unknown key 'retention.max_age' for redis pools (it is a key of mysql and pgsql pools only)");
        assertThat(r.pools().get("m1").problem().orElseThrow().message()).isEqualTo(
                "unknown key 'retention.max_per_topic' for mongo pools (it is a key of mysql and pgsql pools only)");
        assertThat(r.pools().get("c1").problem().orElseThrow().message()).isEqualTo(
                "unknown key 'retention.interval' for ecql pools (it is a key of mysql and pgsql pools only)");
        assertThat(r.pools().get("forever").problem().orElseThrow().message()).isEqualTo(
                "'3651d' is not valid for retention.max_age: expected a duration like 30m, 7d or 1h30m (units d, h, "
                        + "m, s) from 1s to 3650d");
        assertThat(r.pools().get("hasty").problem().orElseThrow().message()).contains("retention.interval",
                "from 1s to 1d");
        for (String refused : List.of("r1", "m1", "c1", "forever", "hasty")) {
            assertThat(r.pools().get(refused).problem().orElseThrow().reason()).isEqualTo(Reason.InvalidSpec);
        }
        assertThat(lines(r.backendsConf())).containsExactly("backend.pgsql.ok.server = 127.0.0.1:5432",
                "backend.pgsql.ok.retention.max_per_topic = 3");
    }
}
