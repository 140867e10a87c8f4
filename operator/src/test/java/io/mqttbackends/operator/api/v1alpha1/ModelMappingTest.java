package io.mqttbackends.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.model.conf.PoolKey;
import io.mqttbackends.operator.testing.RepoFiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CRD enums name every database kind and hook point the runtime knows, each once, and its integer fields have the
 * runtime's bounds.
 */
class ModelMappingTest {

    @Test
    void everyDatabaseKindHasExactlyOnePoolType() {
        assertThat(Arrays.stream(PoolType.values()).map(PoolType::kind)).containsExactlyInAnyOrder(
                DatabaseKind.values());
        assertThat(PoolType.CASSANDRA.poolPrefix()).isEqualTo("ecql");
        assertThat(PoolType.CASSANDRA.hookPrefix()).isEqualTo("cassa");
    }

    @Test
    void mongoTopologyFieldsAreTheRuntimesGlobalKeysWithItsBounds() {
        JsonNode topology = poolSpec().at("/properties/mongo/properties/topology/properties");
        Map<String, PoolKey> keys = DatabaseProfile.of(DatabaseKind.MONGO).globalKeys().orElseThrow().keys();
        List<String> fields = new ArrayList<>();
        topology.fieldNames().forEachRemaining(fields::add);
        assertThat(fields.stream().map(ModelMappingTest::snakeCase)).containsExactlyInAnyOrderElementsOf(keys.keySet());
        for (String field : fields) {
            assertBounds(topology.get(field), keys.get(snakeCase(field)));
        }
        // The order confSettings renders in names every key, each under its own field.
        MongoTopology all = new MongoTopology();
        for (String field : fields) {
            try {
                MongoTopology.class.getMethod("set" + Character.toUpperCase(field.charAt(0)) + field.substring(1),
                        Integer.class).invoke(all, fields.indexOf(field));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(field, e);
            }
        }
        all.confSettings().forEach((key, value) -> assertThat(snakeCase(fields.get(value))).isEqualTo(key));
        assertThat(all.confSettings()).hasSize(keys.size());
    }

    @Test
    void sharedPoolKeysHaveTheRuntimesBounds() {
        Map<String, PoolKey> keys = DatabaseProfile.of(DatabaseKind.MONGO).poolKeys();
        JsonNode spec = poolSpec().path("properties");
        assertBounds(spec.path("batchSize"), keys.get("batch_size"));
        assertBounds(spec.path("batchTime"), keys.get("batch_time"));
        assertBounds(spec.path("callTimeout"), keys.get("call_timeout"));
        assertBounds(spec.path("poolSize"), keys.get("c_pool_size"));
    }

    @Test
    void cassandraOptionsHaveTheRuntimesBoundsAndValues() {
        Map<String, PoolKey> keys = DatabaseProfile.of(DatabaseKind.CASSANDRA).poolKeys();
        JsonNode cassandra = poolSpec().at("/properties/cassandra/properties");
        assertBounds(cassandra.path("autoReconnect"), keys.get("auto_reconnect"));
        List<String> consistency = new ArrayList<>();
        cassandra.at("/consistency/enum").forEach(v -> consistency.add(v.asText()));
        assertThat(consistency).containsExactlyInAnyOrderElementsOf(allowed(keys.get("consistency")));
        assertThat(cassandra.at("/logger/pattern").asText())
                .isEqualTo("^(" + String.join("|", allowed(keys.get("logger"))) + ")$");
        assertThat(keys).containsKey("local_datacenter");
    }

    @Test
    void retentionOptionsHaveTheRuntimesBoundsOnBothSqlDatabases() {
        JsonNode retention = poolSpec().at("/properties/retention/properties");
        for (DatabaseKind kind : List.of(DatabaseKind.PGSQL, DatabaseKind.MYSQL)) {
            Map<String, PoolKey> keys = DatabaseProfile.of(kind).poolKeys();
            assertBounds(retention.path("maxPerTopic"), keys.get("retention.max_per_topic"));
            assertBounds(retention.path("batchSize"), keys.get("retention.batch_size"));
            assertThat(keys).containsKeys("retention.max_age", "retention.interval");
        }
        assertThat(retention.at("/maxAge/pattern").asText()).isEqualTo(RetentionOptions.DURATION);
        assertThat(retention.at("/interval/pattern").asText()).isEqualTo(RetentionOptions.DURATION);
    }

    /** The values a one-of key accepts, as the model names them in its message ("one of a, b"). */
    private static List<String> allowed(PoolKey key) {
        String expected = key.type().expected();
        assertThat(expected).startsWith("one of ");
        return List.of(expected.substring("one of ".length()).split(", "));
    }

    private static void assertBounds(JsonNode field, PoolKey key) {
        PoolKey.Range range = key.range().orElseThrow(() -> new AssertionError(key.name() + " has no range"));
        assertThat(field.path("minimum").asLong()).as("minimum of %s", key.name()).isEqualTo(range.min());
        assertThat(field.path("maximum").asLong()).as("maximum of %s", key.name()).isEqualTo(range.max());
    }

    private static JsonNode poolSpec() {
        return RepoFiles.document(RepoFiles.path("crds/backendpools.mqttbackends.io.yaml"))
                .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    }

    /** connectTimeoutMs -> connect_timeout_ms. */
    private static String snakeCase(String camel) {
        return camel.replaceAll("([A-Z])", "_$1").toLowerCase();
    }

    @Test
    void everyHookPointOfTheRuntimeHasExactlyOneCrdValue() {
        assertThat(Arrays.stream(HookPoint.values()).map(HookPoint::point)).containsExactlyInAnyOrder(
                io.mqttbackends.model.HookPoint.values());
        assertThat(HookPoint.MESSAGE_PUBLISH.confName()).isEqualTo("message.publish");
    }
}
