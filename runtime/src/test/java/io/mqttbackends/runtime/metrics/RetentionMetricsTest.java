package io.mqttbackends.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The retention's series as Prometheus scrapes them, per pool, from the first run on. */
class RetentionMetricsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RuntimeMetrics metrics = new RuntimeMetrics(registry);

    @Test
    void runsAreCountedByOutcomeWithTheirDeletedRowsAndTheLastRunsDurationAndEnd() {
        long before = System.currentTimeMillis();
        metrics.retentionRun("pgsql.pool1", 35, true, Duration.ofMillis(250));
        metrics.retentionRun("pgsql.pool1", 5, false, Duration.ofMillis(1500));
        metrics.retentionRun("mysql.pool1", 0, true, Duration.ofMillis(10));

        String scrape = registry.scrape();

        assertThat(scrape).contains(
                "mqttbackends_retention_deleted_rows_total{pool=\"pgsql.pool1\",} 40.0",
                "mqttbackends_retention_deleted_rows_total{pool=\"mysql.pool1\",} 0.0",
                "mqttbackends_retention_runs_total{outcome=\"success\",pool=\"pgsql.pool1\",} 1.0",
                "mqttbackends_retention_runs_total{outcome=\"failure\",pool=\"pgsql.pool1\",} 1.0",
                "mqttbackends_retention_runs_total{outcome=\"success\",pool=\"mysql.pool1\",} 1.0",
                "mqttbackends_retention_last_run_duration_seconds{pool=\"pgsql.pool1\",} 1.5");
        double end = Double.parseDouble(scrape.lines()
                .filter(l -> l.startsWith("mqttbackends_retention_last_run_timestamp_seconds{pool=\"pgsql.pool1\""))
                .findFirst().orElseThrow().replaceAll(".* ", ""));
        assertThat(end * 1000).isBetween((double) before - 1, (double) System.currentTimeMillis() + 1);
    }

    @Test
    void theMetersGoWithTheBeanSoARestartInTheSameJvmCountsAfresh() {
        metrics.retentionRun("pgsql.pool1", 7, true, Duration.ofMillis(1));
        metrics.removeOwnedMeters();
        RuntimeMetrics restarted = new RuntimeMetrics(registry);

        restarted.retentionRun("pgsql.pool1", 2, true, Duration.ofMillis(1));

        assertThat(registry.scrape()).contains("mqttbackends_retention_deleted_rows_total{pool=\"pgsql.pool1\",} 2.0");
    }
}
