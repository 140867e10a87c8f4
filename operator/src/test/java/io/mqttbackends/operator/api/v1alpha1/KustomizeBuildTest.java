package io.mqttbackends.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttbackends.operator.testing.RepoFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What `kubectl apply -k deploy/` would send, built by `kubectl kustomize deploy/` (kubectl must be on the PATH; the
 * test fails without it): least privilege for both pods, the Role, the NetworkPolicies, the PodDisruptionBudget, the
 * namespace's Pod Security labels and images that a kustomize images: entry pins by digest.
 */
class KustomizeBuildTest {

    private static final List<JsonNode> BUILT = kustomize(RepoFiles.path("deploy"));

    /** The volume types Pod Security "restricted" allows. */
    private static final Set<String> RESTRICTED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");

    @Test
    void theRuntimePodHasNoServiceAccountTokenAndItsServiceAccountNoRole() {
        JsonNode pod = podSpec("mqttbackends-runtime");
        assertThat(pod.path("automountServiceAccountToken").isBoolean()).isTrue();
        assertThat(pod.path("automountServiceAccountToken").asBoolean()).isFalse();
        String account = pod.path("serviceAccountName").asText();
        assertThat(account).isEqualTo("mqttbackends-runtime");
        JsonNode serviceAccount = find("ServiceAccount", account);
        assertThat(serviceAccount.path("automountServiceAccountToken").isBoolean()).isTrue();
        assertThat(serviceAccount.path("automountServiceAccountToken").asBoolean()).isFalse();
        assertThat(all("RoleBinding")).allSatisfy(binding -> assertThat(binding.get("subjects"))
                .noneMatch(subject -> subject.path("name").asText().equals(account)));
        // The operator needs its token, the only one mounted.
        assertThat(podSpec("mqttbackends-operator").path("automountServiceAccountToken").asBoolean(true)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mqttbackends-runtime", "mqttbackends-operator"})
    void bothPodsMeetPodSecurityRestricted(String deployment) {
        JsonNode pod = podSpec(deployment);
        JsonNode podContext = pod.path("securityContext");
        assertThat(pod.path("hostNetwork").asBoolean(false)).isFalse();
        assertThat(pod.path("hostPID").asBoolean(false)).isFalse();
        assertThat(pod.path("hostIPC").asBoolean(false)).isFalse();
        assertThat(pod.get("volumes")).allSatisfy(volume -> assertThat(fieldNames(volume)).contains("name")
                .containsAnyElementsOf(RESTRICTED_VOLUMES).doesNotContain("hostPath"));
        List<JsonNode> containers = new ArrayList<>();
        pod.path("initContainers").forEach(containers::add);
        pod.path("containers").forEach(containers::add);
        assertThat(containers).isNotEmpty().allSatisfy(container -> {
            JsonNode context = container.path("securityContext");
            assertThat(effective(context, podContext, "runAsNonRoot").asBoolean(false))
                    .as("%s runAsNonRoot", container.path("name").asText()).isTrue();
            assertThat(effective(context, podContext, "runAsUser").asInt(-1)).as("runAsUser").isNotZero();
            assertThat(effective(context, podContext, "seccompProfile").path("type").asText())
                    .as("seccompProfile").isIn("RuntimeDefault", "Localhost");
            assertThat(context.path("allowPrivilegeEscalation").isBoolean()).as("allowPrivilegeEscalation set")
                    .isTrue();
            assertThat(context.path("allowPrivilegeEscalation").asBoolean()).isFalse();
            assertThat(context.path("privileged").asBoolean(false)).isFalse();
            assertThat(texts(context.at("/capabilities/drop"))).as("capabilities.drop").contains("ALL");
            assertThat(texts(context.at("/capabilities/add"))).as("capabilities.add")
                    .isSubsetOf("NET_BIND_SERVICE");
            assertThat(context.path("readOnlyRootFilesystem").asBoolean(false)).isTrue();
        });
    }

    @Test
    void theNamespaceEnforcesAuditsAndWarnsPodSecurityRestricted() {
        JsonNode labels = find("Namespace", "mqttbackends").at("/metadata/labels");
        for (String mode : List.of("enforce", "audit", "warn")) {
            assertThat(labels.path("pod-security.kubernetes.io/" + mode).asText()).as(mode).isEqualTo("restricted");
        }
        assertThat(BUILT).filteredOn(r -> !r.path("kind").asText().equals("Namespace")
                && !r.path("kind").asText().equals("CustomResourceDefinition"))
                .allSatisfy(r -> assertThat(r.at("/metadata/namespace").asText()).isEqualTo("mqttbackends"));
    }

    @Test
    void secretFilesAreReadableByTheOwnerAndGroupOnlyAndTheRuntimeIsInThatGroup() {
        List<JsonNode> secretVolumes = new ArrayList<>();
        all("Deployment").forEach(d -> d.at("/spec/template/spec/volumes").forEach(v -> {
            if (v.has("secret")) {
                secretVolumes.add(v);
            }
        }));
        assertThat(secretVolumes).isNotEmpty().allSatisfy(v -> assertThat(v.at("/secret/defaultMode").asInt(-1))
                .as("defaultMode of %s", v.path("name").asText()).isIn(0440, 0400));
        JsonNode runtime = podSpec("mqttbackends-runtime").path("securityContext");
        // 0440 files belong to the pod's fsGroup: the runtime's group must be it to read them.
        assertThat(runtime.path("fsGroup").asInt(-1)).isPositive()
                .isEqualTo(runtime.path("runAsGroup").asInt(-2));
    }

    @Test
    void theRoleWritesOnlyTheRenderedConfigMapAndSecretAndReadsSecretsOnlyByList() {
        JsonNode role = find("Role", "mqttbackends-operator");
        Map<String, String> rendered = Map.of("configmaps", volumeSource("configMap", "name"),
                "secrets", volumeSource("secret", "secretName"));
        assertThat(all("ClusterRole")).isEmpty();
        for (JsonNode rule : role.get("rules")) {
            Set<String> verbs = texts(rule.get("verbs"));
            assertThat(verbs).doesNotContain("*", "delete", "deletecollection", "escalate", "bind", "impersonate");
            assertThat(texts(rule.get("resources"))).doesNotContain("*");
            for (String resource : texts(rule.get("resources"))) {
                if (!rendered.containsKey(resource)) {
                    continue;
                }
                if (rule.has("resourceNames")) {
                    // Only the object the runtime mounts, i.e. the one the operator renders.
                    assertThat(texts(rule.get("resourceNames"))).as("resourceNames of a %s rule", resource)
                            .containsExactly(rendered.get(resource));
                } else {
                    // Unrestricted: create (RBAC cannot name what does not exist yet) and, for the label-selected
                    // credential Secrets, list and watch; never get, update or patch of any object.
                    assertThat(verbs).as("verbs on every %s", resource)
                            .isSubsetOf(resource.equals("secrets") ? Set.of("create", "list", "watch")
                                    : Set.of("create"));
                }
            }
        }
    }

    @Test
    void networkPoliciesLetTheRuntimeServeOnlyItsHttpPortAndReachOnlyDnsBrokerAndDatabases() {
        JsonNode runtime = policyFor("mqttbackends-runtime");
        assertThat(texts(runtime.at("/spec/policyTypes"))).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(ports(runtime.at("/spec/ingress"))).containsExactly(8080);
        assertThat(runtime.at("/spec/ingress/0/from")).anySatisfy(peer -> assertThat(
                peer.at("/podSelector/matchLabels/app.kubernetes.io~1name").asText())
                .isEqualTo("mqttbackends-operator"));
        assertThat(runtime.at("/spec/ingress/0/from")).anySatisfy(peer -> assertThat(
                peer.at("/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText())
                .isEqualTo("monitoring"));
        assertThat(ports(runtime.at("/spec/egress"))).containsExactlyInAnyOrder(53, 1883, 8883, 18083, 5432, 3306,
                6379, 26379, 27017, 9042);

        JsonNode operator = policyFor("mqttbackends-operator");
        assertThat(texts(operator.at("/spec/policyTypes"))).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(operator.at("/spec/ingress").size()).as("operator ingress rules").isZero();
        assertThat(ports(operator.at("/spec/egress"))).containsExactlyInAnyOrder(53, 443, 6443, 8080);
    }

    @Test
    void aPodDisruptionBudgetCoversTheRuntimePods() {
        List<JsonNode> budgets = all("PodDisruptionBudget");
        JsonNode labels = find("Deployment", "mqttbackends-runtime").at("/spec/template/metadata/labels");
        assertThat(budgets).anySatisfy(pdb -> {
            assertThat(pdb.path("apiVersion").asText()).isEqualTo("policy/v1");
            pdb.at("/spec/selector/matchLabels").fields().forEachRemaining(e -> assertThat(labels.path(e.getKey())
                    .asText()).isEqualTo(e.getValue().asText()));
            assertThat(pdb.at("/spec/selector/matchLabels").size()).isPositive();
            assertThat(pdb.at("/spec/maxUnavailable").asInt(0) + pdb.at("/spec/minAvailable").asInt(0))
                    .isEqualTo(1);
        });
    }

    @Test
    void bothImagesComeFromTheKustomizationImagesEntries() {
        JsonNode kustomization = RepoFiles.document(RepoFiles.path("deploy/kustomization.yaml"));
        Set<String> entries = new TreeSet<>();
        kustomization.get("images").forEach(i -> entries.add(i.path("name").asText() + ":"
                + i.path("newTag").asText()));
        // The names and tag deploy/images/build.sh gives the images it builds (ImagesBuildAndSmokeIT builds them).
        assertThat(entries).containsExactly("localhost/mqttbackends/operator:0.1.0-SNAPSHOT",
                "localhost/mqttbackends/runtime:0.1.0-SNAPSHOT");
        assertThat(images(BUILT)).containsExactlyInAnyOrderElementsOf(entries);
    }

    /** The pinning docs/security.md documents: an overlay (or `kustomize edit set image`) giving a digest. */
    @Test
    void anImagesEntryWithADigestPinsBothDeployments(@TempDir Path overlay) throws IOException {
        String runtimeDigest = "sha256:" + "a".repeat(64);
        String operatorDigest = "sha256:" + "b".repeat(64);
        Files.writeString(overlay.resolve("kustomization.yaml"), String.join("\n",
                "apiVersion: kustomize.config.k8s.io/v1beta1",
                "kind: Kustomization",
                "resources:",
                // kustomize takes no absolute path of a directory.
                "  - " + overlay.toRealPath().relativize(RepoFiles.path("deploy").toRealPath()),
                "images:",
                "  - name: localhost/mqttbackends/runtime",
                "    newName: registry.example.com/mqttbackends/runtime",
                "    digest: " + runtimeDigest,
                "  - name: localhost/mqttbackends/operator",
                "    newName: registry.example.com/mqttbackends/operator",
                "    digest: " + operatorDigest,
                ""), StandardCharsets.UTF_8);
        assertThat(images(kustomize(overlay))).containsExactlyInAnyOrder(
                "registry.example.com/mqttbackends/runtime@" + runtimeDigest,
                "registry.example.com/mqttbackends/operator@" + operatorDigest);
    }

    private static List<JsonNode> kustomize(Path dir) {
        List<String> command = List.of("kubectl", "kustomize", dir.toString());
        try {
            // stderr to a file: read on this thread after the exit, no second reader thread (this runs in the
            // class's static initializer, which another thread could not enter).
            Path stderr = Files.createTempFile("kubectl-kustomize", ".err");
            try {
                Process process;
                try {
                    process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
                } catch (IOException e) {
                    throw new AssertionError("this test needs kubectl (1.32, with kustomize) on the PATH to build "
                            + "deploy/: " + e.getMessage(), e);
                }
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail(String.join(" ", command) + " did not finish in 60 s");
                }
                assertThat(process.exitValue()).as(String.join(" ", command) + " exit code; stderr: "
                        + Files.readString(stderr)).isZero();
                return RepoFiles.documents(out);
            } finally {
                Files.delete(stderr);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static List<JsonNode> all(String kind) {
        return BUILT.stream().filter(r -> r.path("kind").asText().equals(kind)).toList();
    }

    private static JsonNode find(String kind, String name) {
        return all(kind).stream().filter(r -> r.at("/metadata/name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("kubectl kustomize deploy/ builds no " + kind + " " + name));
    }

    private static JsonNode podSpec(String deployment) {
        return find("Deployment", deployment).at("/spec/template/spec");
    }

    /** The NetworkPolicy selecting the pods of a Deployment by their template's labels. */
    private static JsonNode policyFor(String deployment) {
        JsonNode labels = find("Deployment", deployment).at("/spec/template/metadata/labels");
        return all("NetworkPolicy").stream().filter(p -> {
            JsonNode selector = p.at("/spec/podSelector/matchLabels");
            return selector.size() > 0 && StreamSupport.stream(((Iterable<Map.Entry<String, JsonNode>>)
                    selector::fields).spliterator(), false)
                    .allMatch(e -> labels.path(e.getKey()).asText().equals(e.getValue().asText()));
        }).findFirst().orElseThrow(() -> new AssertionError("no NetworkPolicy selects the " + deployment + " pods"));
    }

    /** The name of the runtime's volume of that type: the object the operator renders and the runtime mounts. */
    private static String volumeSource(String type, String field) {
        for (JsonNode v : podSpec("mqttbackends-runtime").get("volumes")) {
            if (v.has(type)) {
                return v.path(type).path(field).asText();
            }
        }
        throw new AssertionError("the runtime mounts no " + type);
    }

    private static JsonNode effective(JsonNode container, JsonNode pod, String field) {
        return container.has(field) ? container.get(field) : pod.path(field);
    }

    private static Set<Integer> ports(JsonNode rules) {
        Set<Integer> ports = new TreeSet<>();
        rules.forEach(rule -> rule.path("ports").forEach(p -> ports.add(p.path("port").asInt())));
        return ports;
    }

    private static Set<String> images(List<JsonNode> resources) {
        Set<String> images = new TreeSet<>();
        resources.stream().filter(r -> r.path("kind").asText().equals("Deployment")).forEach(d -> d
                .at("/spec/template/spec/containers").forEach(c -> images.add(c.path("image").asText())));
        return images;
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> texts = new TreeSet<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
