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

    /** The custom resources of every example file, subdirectories (deploy/examples/mongo, ...) included. */
    private static List<JsonNode> customResources(String dir) throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Files.walk(RepoFiles.path(dir))) {
            examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        return examples.stream().flatMap(f -> RepoFiles.documents(f).stream())
                .filter(d -> d.path("apiVersion").asText().equals("mqttbackends.io/v1alpha1")).toList();
    }

    @Test
    void everyExampleResourceValidatesAgainstItsCrdSchema() throws IOException {
        List<JsonNode> custom = customResources("deploy/examples");
        assertThat(custom).extracting(d -> d.path("kind").asText()).contains("BackendPool", "BackendHook");
        assertThat(custom.stream().filter(d -> d.path("kind").asText().equals("BackendHook"))).hasSizeGreaterThan(2);
        assertThat(custom).extracting(d -> d.at("/spec/type").asText()).contains("pgsql", "mongo", "cassandra");
        for (JsonNode resource : custom) {
            assertThat(validate(resource)).as(resource.at("/metadata/name").asText()).isEmpty();
        }
    }

    @Test
    void theMongoExampleHasEveryHookOfEmqxsDefaultMongoConf() throws IOException {
        List<JsonNode> hooks = customResources("deploy/examples/mongo").stream()
                .filter(d -> d.path("kind").asText().equals("BackendHook")).toList();
        // emqx_backend_mongo.conf's hook lines: hook point, order, function.
        assertThat(hooks).extracting(h -> h.at("/spec/hookpoint").asText() + "." + h.at("/spec/order").asInt() + " "
                + h.at("/spec/action/function").asText() + " on " + h.at("/spec/poolRef").asText())
                .containsExactlyInAnyOrder(
                        "client.connected.1 on_client_connected on mongo1",
                        "client.connected.2 on_subscribe_lookup on mongo1",
                        "client.disconnected.1 on_client_disconnected on mongo1",
                        "session.subscribed.1 on_message_fetch on mongo1",
                        "session.subscribed.2 on_retain_lookup on mongo1",
                        "session.unsubscribed.1 on_acked_delete on mongo1",
                        "message.publish.1 on_message_publish on mongo1",
                        "message.publish.2 on_message_retain on mongo1",
                        "message.publish.3 on_retain_delete on mongo1",
                        "message.acked.1 on_message_acked on mongo1");
        JsonNode fetch = hooks.stream().filter(h -> h.at("/spec/action/function").asText().equals("on_message_fetch"))
                .findFirst().orElseThrow();
        assertThat(fetch.at("/spec/offlineOpts/maxReturnedCount").asInt()).isEqualTo(500);
        assertThat(fetch.at("/spec/offlineOpts/timeRange").asText()).isEqualTo("2h");
    }

    @Test
    void theCassandraExampleHasEveryHookOfEmqxsDefaultCassaConf() throws IOException {
        List<JsonNode> hooks = customResources("deploy/examples/cassandra").stream()
                .filter(d -> d.path("kind").asText().equals("BackendHook")).toList();
        // emqx_backend_cassa.conf's hook lines: hook point, order, topic filter, function or cql.
        assertThat(hooks).extracting(h -> h.at("/spec/hookpoint").asText() + "." + h.at("/spec/order").asInt() + " "
                + h.at("/spec/topic").asText("-") + " " + (h.at("/spec/action/function").isTextual()
                ? h.at("/spec/action/function").asText() : "cql " + h.at("/spec/action/cql"))
                + " on " + h.at("/spec/poolRef").asText())
                .containsExactlyInAnyOrder(
                        "client.connected.1 - on_client_connected on cassandra1",
                        "client.connected.2 - on_subscription_lookup on cassandra1",
                        "client.disconnected.1 - on_client_disconnected on cassandra1",
                        "session.subscribed.1 # on_message_fetch on cassandra1",
                        "session.subscribed.2 - on_retain_lookup on cassandra1",
                        "session.unsubscribed.1 # cql [\"delete from acked where clientid = ${clientid} and topic = "
                                + "${topic}\"] on cassandra1",
                        "message.publish.1 # on_message_publish on cassandra1",
                        "message.publish.2 # on_message_retain on cassandra1",
                        "message.publish.3 # on_retain_delete on cassandra1",
                        "message.acked.1 # on_message_acked on cassandra1");
        JsonNode fetch = hooks.stream().filter(h -> h.at("/spec/action/function").asText().equals("on_message_fetch"))
                .findFirst().orElseThrow();
        assertThat(fetch.at("/spec/offlineOpts/maxReturnedCount").asInt()).isEqualTo(500);
        assertThat(fetch.at("/spec/offlineOpts/timeRange").asText()).isEqualTo("2h");
    }

    @Test
    void theSchemaRejectsBadCassandraOptions() {
        JsonNode pool = RepoFiles.document(RepoFiles.path("deploy/examples/cassandra/cassandra-pool.yaml"));
        assertThat(validate(pool)).isEmpty();
        ObjectNode serialConsistency = pool.deepCopy();
        ((ObjectNode) serialConsistency.at("/spec/cassandra")).put("consistency", "SERIAL");
        ObjectNode lowerCase = pool.deepCopy();
        ((ObjectNode) lowerCase.at("/spec/cassandra")).put("consistency", "local_quorum");
        ObjectNode badLogger = pool.deepCopy();
        ((ObjectNode) badLogger.at("/spec/cassandra")).put("logger", "trace");
        ObjectNode emptyDatacenter = pool.deepCopy();
        ((ObjectNode) emptyDatacenter.at("/spec/cassandra")).put("localDatacenter", "");
        ObjectNode slowReconnect = pool.deepCopy();
        ((ObjectNode) slowReconnect.at("/spec/cassandra")).put("autoReconnect", 3601);
        assertThat(validate(serialConsistency)).isNotEmpty();
        assertThat(validate(lowerCase)).isNotEmpty();
        assertThat(validate(badLogger)).isNotEmpty();
        assertThat(validate(emptyDatacenter)).isNotEmpty();
        assertThat(validate(slowReconnect)).isNotEmpty();
        ObjectNode every = pool.deepCopy();
        for (String level : List.of("ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_ONE", "LOCAL_QUORUM",
                "EACH_QUORUM")) {
            ((ObjectNode) every.at("/spec/cassandra")).put("consistency", level);
            assertThat(validate(every)).as(level).isEmpty();
        }
        for (String level : List.of("debug", "notice", "critical", "alert", "emergency")) {
            ((ObjectNode) every.at("/spec/cassandra")).put("logger", level);
            assertThat(validate(every)).as(level).isEmpty();
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

    @Test
    void theSchemaRejectsBadMongoOptions() {
        JsonNode pool = RepoFiles.document(RepoFiles.path("deploy/examples/mongo/mongo-pool.yaml"));
        assertThat(validate(pool)).isEmpty();
        ObjectNode badMode = pool.deepCopy();
        ((ObjectNode) badMode.at("/spec/mongo")).put("mode", "replicaset");
        ObjectNode badWriteMode = pool.deepCopy();
        ((ObjectNode) badWriteMode.at("/spec/mongo")).put("writeMode", "majority");
        ObjectNode negativeTimeout = pool.deepCopy();
        ((ObjectNode) negativeTimeout.at("/spec/mongo/topology")).put("connectTimeoutMs", -1);
        ObjectNode textTimeout = pool.deepCopy();
        ((ObjectNode) textTimeout.at("/spec/mongo/topology")).put("socketTimeoutMs", "5s");
        assertThat(validate(badMode)).isNotEmpty();
        assertThat(validate(badWriteMode)).isNotEmpty();
        assertThat(validate(negativeTimeout)).isNotEmpty();
        assertThat(validate(textTimeout)).isNotEmpty();

        JsonNode hook = RepoFiles.documents(RepoFiles.path("deploy/examples/mongo/mongo-hooks.yaml")).stream()
                .filter(h -> h.at("/spec/payloadFormat").isTextual()).findFirst().orElseThrow();
        assertThat(validate(hook)).isEmpty();
        ObjectNode badFormat = hook.deepCopy();
        ((ObjectNode) badFormat.get("spec")).put("payloadFormat", "bson");
        assertThat(validate(badFormat)).isNotEmpty();
    }
}
