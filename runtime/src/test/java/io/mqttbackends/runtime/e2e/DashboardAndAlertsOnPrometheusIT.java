package io.mqttbackends.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mqttbackends.runtime.testing.MonitoringFiles;
import io.mqttbackends.runtime.testing.PgsqlTestDatabase;
import io.mqttbackends.runtime.testing.PrivateMosquitto;
import io.mqttbackends.runtime.testing.PrivatePrometheus;
import io.mqttbackends.runtime.testing.RuntimeProcess;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboard and alert rules against a real Prometheus (Debian's package, a process of the test's
 * own, scraping every second) scraping the packaged runtime, which stores publishes into PostgreSQL from a private
 * Mosquitto. The traffic covers every kind of series the dashboard shows: stored events (events, actions, batches,
 * pools), one refused for its size (rejected events) and one a {@code sql} hook cannot insert (a dead letter).
 *
 * <p>Every target expression of the dashboard JSON, read from the file (so a new panel is covered without touching
 * this test), with Grafana's variables replaced by what Grafana sends for "All" and 1 m for the interval variables,
 * must return at least one series; so must every variable's {@code label_values} query and every metric selector of
 * every alert rule. Prometheus must have loaded the rule file with every rule healthy.
 */
class DashboardAndAlertsOnPrometheusIT {
    private static final String PREFIX = "mon";
    /** The job name the rules expect: the runtime Service's name, which a ServiceMonitor gives as job. */
    private static final String JOB = "mqttbackends-runtime";
    private static final int STORED = 50;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Grafana's interval variables: any window of a few scrapes does here. */
    private static final Map<String, String> INTERVALS = Map.of("$__rate_interval", "1m", "$__interval", "1m",
            "$__range", "1m");
    /** A metric selector in an alert expression: one of our metric names or {@code up}, with its label matchers. */
    private static final Pattern SELECTOR = Pattern.compile("\\b(up|mqttbackends_[a-z0-9_]+)(\\{[^}]*})?(?!\\s*\\()");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*([a-zA-Z_]+)\\)");

    @Test
    void everyDashboardQueryAndAlertSelectorReturnsSeriesAndTheRulesLoadHealthy() throws Exception {
        Path work = Files.createTempDirectory("mqttbackends-monitoring");
        PgsqlTestDatabase database = PgsqlTestDatabase.create();
        try (PrivateMosquitto broker = PrivateMosquitto.start(work.resolve("mosquitto"));
                TestPostgres pg = database.connect();
                TestMqtt publisher = new TestMqtt(PREFIX + "-publisher", broker.port())) {
            pg.execute("create table narrow_log (payload varchar(8))");
            Path conf = RawPgsqlRuntime.conf(work.resolve("conf"), database.name(), PREFIX);
            // A second hook whose insert fails for a long payload (SQLSTATE 22001): a dead letter.
            Files.writeString(conf.resolve("backends.conf"), "backend.pgsql.hook.message.publish.2 = {\"topic\": \""
                    + PREFIX + "/narrow/#\", \"action\": {\"sql\": [\"insert into narrow_log (payload) values"
                    + " (${payload})\"]}, \"pool\": \"pool1\"}\n", StandardOpenOption.APPEND);
            Map<String, String> properties = RawPgsqlRuntime.properties(conf, broker.port(),
                    PREFIX + "-runtime-" + FailureRig.random(), PREFIX, Map.of(
                            "mqttbackends.ingest.max-payload-size", "4K",
                            "mqttbackends.retry.max-attempts", "2",
                            "mqttbackends.retry.initial-backoff", "PT0.05S"));
            try (RuntimeProcess runtime = RuntimeProcess.start(properties, work.resolve("runtime.log"));
                    PrivatePrometheus prometheus = PrivatePrometheus.start(work.resolve("prometheus"), JOB,
                            "127.0.0.1:" + properties.get("quarkus.http.port"), "/q/metrics",
                            MonitoringFiles.RULES)) {
                await("readiness of the runtime process").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> {
                            assertThat(runtime.isAlive()).as("runtime alive; its log ends with:%n%s",
                                    runtime.logTail(20)).isTrue();
                            assertThat(runtime.httpStatus("/q/health/ready")).as("readiness").isEqualTo(200);
                        });
                pg.awaitEmqxTables(WAIT);

                for (int i = 0; i < STORED; i++) {
                    publisher.publish(PREFIX + "/stored/" + i % 4, "m-" + i, 1, false);
                }
                byte[] tooLarge = new byte[8 * 1024];
                Arrays.fill(tooLarge, (byte) 'x');
                publisher.publish(PREFIX + "/large/1", tooLarge, 1, false, Map.of());
                publisher.publish(PREFIX + "/narrow/1", "far too long for eight", 1, false);
                await("rows stored and the dead letter counted").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> {
                            // The narrow one is stored by the first hook too.
                            assertThat(pg.count("select count(*) from mqtt_msg")).as("rows").isEqualTo(STORED + 1);
                            assertThat(runtime.httpBody("/q/metrics")).as("the runtime's metrics")
                                    .contains("mqttbackends_dead_letters_total{")
                                    .contains("mqttbackends_events_rejected_total{format=\"raw\","
                                            + "reason=\"payload-too-large\"}");
                        });

                JsonNode dashboard = JSON.readTree(MonitoringFiles.DASHBOARD.toFile());
                Map<String, String> variables = allValues(dashboard);
                List<String> queries = new ArrayList<>();
                targets(dashboard.get("panels"), queries);
                assertThat(queries).as("target expressions in the dashboard").hasSizeGreaterThan(10);
                Map<String, Integer> series = new LinkedHashMap<>();
                for (String query : queries) {
                    series.put(query, awaitSeries(prometheus, substitute(query, variables), "dashboard query"));
                }
                for (JsonNode variable : dashboard.at("/templating/list")) {
                    Matcher labelValues = LABEL_VALUES.matcher(variable.path("definition").asText());
                    if (labelValues.matches()) {
                        awaitSeries(prometheus, labelValues.group(1), "variable " + variable.path("name").asText());
                        assertThat(prometheus.query(labelValues.group(1))).as("series of variable %s",
                                variable.path("name").asText()).allSatisfy(s -> assertThat(s.at("/metric/"
                                        + labelValues.group(2)).asText()).isNotEmpty());
                    }
                }

                await("the rule file loaded, every rule evaluated healthy").atMost(WAIT)
                        .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                            JsonNode groups = prometheus.ruleGroups();
                            assertThat(groups).as("rule groups").isNotEmpty();
                            List<JsonNode> rules = new ArrayList<>();
                            groups.forEach(g -> g.get("rules").forEach(rules::add));
                            assertThat(rules).extracting(r -> r.path("name").asText()).containsExactlyInAnyOrder(
                                    "MqttBackendsRuntimeAbsent", "MqttBackendsMqttDisconnected",
                                    "MqttBackendsPoolDown", "MqttBackendsDeadLetters",
                                    "MqttBackendsUnackedEventAge", "MqttBackendsConfigReloadFailed");
                            assertThat(rules).allSatisfy(r -> assertThat(r.path("health").asText())
                                    .as("health of %s (lastError %s)", r.path("name").asText(),
                                            r.path("lastError").asText()).isEqualTo("ok"));
                        });
                Set<String> selectors = new LinkedHashSet<>();
                prometheus.ruleGroups().forEach(g -> g.get("rules").forEach(rule -> {
                    Matcher m = SELECTOR.matcher(rule.path("query").asText());
                    int found = 0;
                    while (m.find()) {
                        selectors.add(m.group());
                        found++;
                    }
                    assertThat(found).as("metric selectors in %s", rule.path("query").asText()).isPositive();
                }));
                for (String selector : selectors) {
                    series.put(selector, awaitSeries(prometheus, selector, "alert selector"));
                }
                System.out.printf("%d dashboard queries and %d alert selectors, each with series on Prometheus:%n%s%n",
                        queries.size(), selectors.size(), String.join("\n", series.entrySet().stream()
                                .map(e -> String.format("%3d series  %s", e.getValue(), e.getKey())).toList()));
            }
        } finally {
            database.close();
            FailureRig.deleteTree(work);
        }
    }

    /** The expressions of every panel's targets, rows' nested panels included. */
    private static void targets(JsonNode panels, List<String> into) {
        for (JsonNode panel : panels) {
            panel.path("targets").forEach(t -> {
                if (t.hasNonNull("expr")) {
                    into.add(t.get("expr").asText());
                }
            });
            targets(panel.path("panels"), into);
        }
    }

    /** Each template variable with an "All" option, mapped to what Grafana sends for it (its allValue). */
    private static Map<String, String> allValues(JsonNode dashboard) {
        Map<String, String> values = new LinkedHashMap<>();
        dashboard.at("/templating/list").forEach(v -> {
            if (v.path("includeAll").asBoolean()) {
                values.put(v.path("name").asText(), v.path("allValue").asText(".*"));
            }
        });
        return values;
    }

    private static String substitute(String query, Map<String, String> variables) {
        String result = query;
        for (Map.Entry<String, String> interval : INTERVALS.entrySet()) {
            result = result.replace(interval.getKey(), interval.getValue());
        }
        for (Map.Entry<String, String> variable : variables.entrySet()) {
            result = result.replaceAll("\\$\\{" + variable.getKey() + "(:[a-z]+)?}|\\$" + variable.getKey() + "\\b",
                    Matcher.quoteReplacement(variable.getValue()));
        }
        assertThat(result).as("%s with the dashboard's variables replaced", query).doesNotContain("$");
        return result;
    }

    /** Waits until {@code promql} returns at least one series and returns how many. */
    private static int awaitSeries(PrivatePrometheus prometheus, String promql, String what) {
        int[] count = new int[1];
        await(what + ": " + promql).atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            count[0] = prometheus.query(promql).size();
            assertThat(count[0]).as("series of %s %s", what, promql).isPositive();
        });
        return count[0];
    }
}
