package io.mqttbackends.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttbackends.operator.testing.RepoFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The files of deploy/ as written (KustomizeBuildTest checks what `kubectl kustomize` builds of them): every resource
 * the kustomization lists exists and parses, and the runtime Deployment mounts what the operator renders where the
 * runtime reads it.
 */
class KustomizeStructureTest {

    private static final JsonNode KUSTOMIZATION = RepoFiles.document(RepoFiles.path("deploy/kustomization.yaml"));

    private static List<JsonNode> resources() {
        List<JsonNode> all = new ArrayList<>();
        KUSTOMIZATION.get("resources").forEach(r -> all.addAll(RepoFiles.documents(RepoFiles.path("deploy/"
                + r.asText()))));
        return all;
    }

    private static JsonNode find(String kind, String name) {
        return resources().stream().filter(r -> r.path("kind").asText().equals(kind)
                && r.at("/metadata/name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in deploy/"));
    }

    @Test
    void everyListedResourceExistsAndIsAKubernetesObject() {
        KUSTOMIZATION.get("resources").forEach(r -> assertThat(RepoFiles.path("deploy/" + r.asText())).exists());
        assertThat(resources()).allSatisfy(r -> {
            assertThat(r.path("apiVersion").asText()).isNotEmpty();
            assertThat(r.path("kind").asText()).isNotEmpty();
            assertThat(r.at("/metadata/name").asText()).isNotEmpty();
        });
        assertThat(resources()).extracting(r -> r.path("kind").asText()).contains("Namespace",
                "CustomResourceDefinition", "ServiceAccount", "Role", "RoleBinding", "Deployment", "Service",
                "ServiceMonitor");
        assertThat(KUSTOMIZATION.path("namespace").asText()).isEqualTo(
                find("Namespace", "mqttbackends").at("/metadata/name").asText());
    }

    @Test
    void runtimeMountsTheRenderedConfigMapAndSecretWhereItsConfDirPoints() {
        JsonNode spec = find("Deployment", "mqttbackends-runtime").at("/spec/template/spec");
        JsonNode container = spec.at("/containers/0");
        assertThat(env(container, "MQTTBACKENDS_CONF_DIR"))
                .isEqualTo("/etc/mqttbackends/conf,/etc/mqttbackends/credentials");
        assertThat(mountPath(container, volume(spec, "configMap", "name", "mqttbackends-conf")))
                .isEqualTo("/etc/mqttbackends/conf");
        assertThat(mountPath(container, volume(spec, "secret", "secretName", "mqttbackends-credentials")))
                .isEqualTo("/etc/mqttbackends/credentials");
        assertThat(find("Service", "mqttbackends-runtime").at("/spec/ports/0/port").asInt()).isEqualTo(8080);
    }

    @Test
    void operatorRunsUnderItsServiceAccountWithANamespacedRoleOnly() {
        JsonNode operator = find("Deployment", "mqttbackends-operator");
        assertThat(operator.at("/spec/template/spec/serviceAccountName").asText()).isEqualTo("mqttbackends-operator");
        JsonNode binding = find("RoleBinding", "mqttbackends-operator");
        assertThat(binding.at("/roleRef/kind").asText()).isEqualTo("Role");
        assertThat(binding.at("/subjects/0/name").asText()).isEqualTo("mqttbackends-operator");
        assertThat(resources()).noneMatch(r -> r.path("kind").asText().startsWith("Cluster"));
        List<String> verbs = new ArrayList<>();
        find("Role", "mqttbackends-operator").get("rules").forEach(rule -> rule.get("verbs")
                .forEach(v -> verbs.add(v.asText())));
        assertThat(verbs).doesNotContain("delete", "deletecollection", "*");
    }

    @ParameterizedTest
    @CsvSource({"mongo, mongo-hook-subscribe-lookup.yaml", "cassandra, cassandra-hook-subscription-lookup.yaml"})
    void aDatabaseExampleKustomizationListsItsFilesAndNamesTheOneLeftOut(String db, String leftOut)
            throws IOException {
        Path dir = RepoFiles.path("deploy/examples/" + db);
        JsonNode kustomization = RepoFiles.document(dir.resolve("kustomization.yaml"));
        assertThat(kustomization.path("kind").asText()).isEqualTo("Kustomization");
        assertThat(kustomization.path("namespace").asText()).isEqualTo("mqttbackends");
        List<String> listed = new ArrayList<>();
        kustomization.get("resources").forEach(r -> listed.add(r.asText()));
        assertThat(listed).containsExactly(db + "-credentials.yaml", db + "-pool.yaml", db + "-hooks.yaml");
        List<JsonNode> resources = new ArrayList<>();
        listed.forEach(file -> resources.addAll(RepoFiles.documents(dir.resolve(file))));
        assertThat(resources).allSatisfy(r -> {
            assertThat(r.path("apiVersion").asText()).isNotEmpty();
            assertThat(r.path("kind").asText()).isNotEmpty();
            assertThat(r.at("/metadata/name").asText()).isNotEmpty();
            // The kustomization sets the namespace; a resource naming another would be moved silently.
            assertThat(r.at("/metadata/namespace").isMissingNode()).isTrue();
        });
        // The Secret the pool references is the one shipped next to it.
        JsonNode pool = resources.stream().filter(r -> r.path("kind").asText().equals("BackendPool")).findFirst()
                .orElseThrow();
        JsonNode secret = resources.stream().filter(r -> r.path("kind").asText().equals("Secret")).findFirst()
                .orElseThrow();
        for (String ref : List.of("username", "password")) {
            assertThat(pool.at("/spec/credentials/" + ref + "/name").asText())
                    .isEqualTo(secret.at("/metadata/name").asText());
            assertThat(secret.path("stringData").has(pool.at("/spec/credentials/" + ref + "/key").asText())).isTrue();
        }
        // The one file not listed (the subscription lookup needs broker control emqx) is named in a comment there.
        List<String> files;
        try (Stream<Path> entries = Files.list(dir)) {
            files = entries.map(f -> f.getFileName().toString()).filter(f -> !f.equals("kustomization.yaml"))
                    .sorted().toList();
        }
        assertThat(files).containsExactlyInAnyOrder(db + "-credentials.yaml", db + "-pool.yaml", db + "-hooks.yaml",
                leftOut);
        assertThat(RepoFiles.read(dir.resolve("kustomization.yaml"))).contains("# - " + leftOut);
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode e : container.get("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        throw new AssertionError("no env " + name);
    }

    private static String volume(JsonNode podSpec, String type, String field, String source) {
        for (JsonNode v : podSpec.get("volumes")) {
            if (v.at("/" + type + "/" + field).asText().equals(source)) {
                return v.path("name").asText();
            }
        }
        throw new AssertionError("no " + type + " volume of " + source);
    }

    private static String mountPath(JsonNode container, String volume) {
        for (JsonNode m : container.get("volumeMounts")) {
            if (m.path("name").asText().equals(volume)) {
                return m.path("mountPath").asText();
            }
        }
        throw new AssertionError("volume " + volume + " not mounted");
    }

}
