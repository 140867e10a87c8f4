package io.mqttbackends.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.mqttbackends.operator.testing.RepoFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples in deploy/examples validate against the committed CRDs' openAPIV3Schema, as a real API server would
 * check them (the test server checks nothing). CEL rules (x-kubernetes-validations) are not evaluated here; the
 * operator checks the same rule itself (InvalidAction).
 */
class ExamplesSchemaTest {

    private static final Map<String, JsonSchema> SCHEMAS = Map.of(
            "BackendPool", schema("crds/backendpools.mqttbackends.io.yaml"),
            "BackendHook", schema("crds/backendhooks.mqttbackends.io.yaml"));

    private static JsonSchema schema(String crd) {
        JsonNode openApi = RepoFiles.document(RepoFiles.path(crd))
                .at("/spec/versions/0/schema/openAPIV3Schema");
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi);
    }

    private static Set<ValidationMessage> validate(JsonNode resource) {
        JsonSchema schema = SCHEMAS.get(resource.path("kind").asText());
        assertThat(schema).as("a schema for kind %s", resource.path("kind")).isNotNull();
        return schema.validate(resource);
    }

    @Test
    void everyExampleResourceValidatesAgainstItsCrdSchema() throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Files.list(RepoFiles.path("deploy/examples"))) {
            examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        List<JsonNode> custom = examples.stream().flatMap(f -> RepoFiles.documents(f).stream())
                .filter(d -> d.path("apiVersion").asText().equals("mqttbackends.io/v1alpha1")).toList();
        assertThat(custom).extracting(d -> d.path("kind").asText()).contains("BackendPool", "BackendHook");
        assertThat(custom.stream().filter(d -> d.path("kind").asText().equals("BackendHook"))).hasSizeGreaterThan(2);
        for (JsonNode resource : custom) {
            assertThat(validate(resource)).as(resource.at("/metadata/name").asText()).isEmpty();
        }
    }

    @Test
    void theSchemaRejectsWhatItDeclaresInvalid() {
        JsonNode pool = RepoFiles.document(RepoFiles.path("deploy/examples/pgsql-pool.yaml"));
        ObjectNode badType = pool.deepCopy();
        ((ObjectNode) badType.get("spec")).put("type", "oracle");
        ObjectNode badServer = pool.deepCopy();
        ((ObjectNode) badServer.get("spec")).putArray("servers").add("db:5432/x");
        ObjectNode badSize = pool.deepCopy();
        ((ObjectNode) badSize.get("spec")).put("poolSize", 0);
        assertThat(validate(badType)).isNotEmpty();
        assertThat(validate(badServer)).isNotEmpty();
        assertThat(validate(badSize)).isNotEmpty();

        JsonNode hook = RepoFiles.document(RepoFiles.path("deploy/examples/hook-message-publish.yaml"));
        ObjectNode badHookPoint = hook.deepCopy();
        ((ObjectNode) badHookPoint.get("spec")).put("hookpoint", "session.created");
        ObjectNode noOrder = hook.deepCopy();
        ((ObjectNode) noOrder.get("spec")).remove("order");
        ObjectNode badRange = hook.deepCopy();
        ((ObjectNode) badRange.get("spec")).putObject("offlineOpts").put("timeRange", "2 hours");
        assertThat(validate(badHookPoint)).isNotEmpty();
        assertThat(validate(noOrder)).isNotEmpty();
        assertThat(validate(badRange)).isNotEmpty();
    }
}
