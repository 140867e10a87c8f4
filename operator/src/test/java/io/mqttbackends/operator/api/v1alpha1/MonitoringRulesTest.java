package io.mqttbackends.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttbackends.operator.testing.RepoFiles;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The alert rules ship twice, as a plain Prometheus rules file and as a PrometheusRule for the Prometheus Operator:
 * both must hold the same groups. Each alert carries what an on-call engineer needs (a {@code for:}, a severity, a
 * summary, a description, its runbook section in docs/operations.md), and the objects kube-prometheus-stack selects
 * carry its default {@code release} label. (The runtime module's PromtoolRulesIT and DashboardAndAlertsOnPrometheusIT
 * run the rules with promtool and a real Prometheus.)
 */
class MonitoringRulesTest {
    private static final JsonNode PLAIN = RepoFiles.document(RepoFiles.path(
            "deploy/monitoring/prometheus/mqttbackends-rules.yaml"));
    private static final JsonNode RESOURCE = RepoFiles.document(RepoFiles.path(
            "deploy/monitoring/prometheus-rule.yaml"));

    @Test
    void thePrometheusRuleHoldsExactlyTheGroupsOfThePlainRulesFile() {
        assertThat(RESOURCE.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(RESOURCE.path("kind").asText()).isEqualTo("PrometheusRule");
        assertThat(PLAIN.get("groups")).isNotEmpty();
        assertThat(RESOURCE.at("/spec/groups")).isEqualTo(PLAIN.get("groups"));
    }

    @Test
    void everyAlertHasAForASeverityASummaryADescriptionAndItsRunbookSection() {
        List<JsonNode> alerts = new ArrayList<>();
        PLAIN.get("groups").forEach(group -> group.get("rules").forEach(alerts::add));
        assertThat(alerts).extracting(a -> a.path("alert").asText()).containsExactlyInAnyOrder(
                "MqttBackendsRuntimeAbsent", "MqttBackendsMqttDisconnected", "MqttBackendsPoolDown",
                "MqttBackendsDeadLetters", "MqttBackendsUnackedEventAge", "MqttBackendsConfigReloadFailed");
        assertThat(alerts).allSatisfy(alert -> {
            String name = alert.path("alert").asText();
            assertThat(alert.path("for").asText()).as("for of %s", name).matches("\\d+[smh]");
            assertThat(alert.at("/labels/severity").asText()).as("severity of %s", name).isIn("critical", "warning");
            assertThat(alert.at("/annotations/summary").asText()).as("summary of %s", name).isNotBlank();
            assertThat(alert.at("/annotations/description").asText()).as("description of %s", name).isNotBlank();
            assertThat(alert.at("/annotations/runbook_url").asText()).as("runbook of %s", name)
                    .isEqualTo("docs/operations.md#" + name.toLowerCase());
        });
    }

    @Test
    void theServiceMonitorAndThePrometheusRuleCarryKubePrometheusStacksDefaultReleaseLabel() {
        JsonNode serviceMonitor = RepoFiles.document(RepoFiles.path("deploy/runtime/service-monitor.yaml"));
        for (JsonNode selected : List.of(serviceMonitor, RESOURCE)) {
            assertThat(selected.at("/metadata/labels/release").asText()).as("release label of %s",
                    selected.path("kind").asText()).isEqualTo("kube-prometheus-stack");
        }
    }
}
