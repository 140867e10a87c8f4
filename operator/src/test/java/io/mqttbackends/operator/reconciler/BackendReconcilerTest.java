package io.mqttbackends.operator.reconciler;

import static io.mqttbackends.operator.testing.Resources.credentials;
import static io.mqttbackends.operator.testing.Resources.function;
import static io.mqttbackends.operator.testing.Resources.hook;
import static io.mqttbackends.operator.testing.Resources.pool;
import static io.mqttbackends.operator.testing.Resources.secret;
import static io.mqttbackends.operator.testing.Resources.sql;
import static io.mqttbackends.operator.testing.Resources.unlabelledSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.mqttbackends.operator.api.v1alpha1.BackendHook;
import io.mqttbackends.operator.api.v1alpha1.BackendPool;
import io.mqttbackends.operator.api.v1alpha1.BackendStatus;
import io.mqttbackends.operator.api.v1alpha1.HookAction;
import io.mqttbackends.operator.api.v1alpha1.HookPoint;
import io.mqttbackends.operator.api.v1alpha1.MongoOptions;
import io.mqttbackends.operator.api.v1alpha1.MongoTopology;
import io.mqttbackends.operator.api.v1alpha1.PayloadFormat;
import io.mqttbackends.operator.api.v1alpha1.PoolType;
import io.mqttbackends.operator.render.Rendering;
import io.mqttbackends.operator.testing.FakeRuntime;
import io.mqttbackends.operator.testing.FakeRuntimeResource;
import io.mqttbackends.operator.testing.RepoFiles;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator against the fabric8 CRUD test server (no schema validation, no server-side apply) and a fake
 * runtime endpoint: what it writes into the ConfigMap and Secret, and the status it gives every resource.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@WithTestResource(FakeRuntimeResource.class)
@TestProfile(BackendReconcilerTest.RuntimeWithoutRedis.class)
class BackendReconcilerTest {

    /**
     * The fake runtime is a build without redis (mqttbackends.operator.runtime-backends), so that pools of a
     * database the runtime lacks can be shown whatever this build offers; no other test here uses redis.
     */
    public static class RuntimeWithoutRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mqttbackends.operator.runtime-backends", "mysql,pgsql,mongo,cassandra");
        }
    }

    /** The test server client's namespace, the one the operator watches (JOSDK_WATCH_CURRENT). */
    private static final String NS = "test";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Inject
    KubernetesClient client;

    @KubernetesTestServer
    KubernetesServer server;

    private final FakeRuntime runtime = FakeRuntimeResource.runtime();

    @BeforeEach
    void runtimeLoadsWhateverIsRendered() {
        runtime.reports(() -> new FakeRuntime.State(renderedHash(), null, null));
    }

    @AfterEach
    void deleteEverything() {
        client.resources(BackendHook.class).inNamespace(NS).delete();
        client.resources(BackendPool.class).inNamespace(NS).delete();
        client.secrets().inNamespace(NS).withLabel("test", "true").delete();
        await().atMost(TIMEOUT).until(() -> client.resources(BackendHook.class).inNamespace(NS).list().getItems()
                .isEmpty() && client.resources(BackendPool.class).inNamespace(NS).list().getItems().isEmpty());
        await().atMost(TIMEOUT).until(() -> !files().get("backends.conf").contains("backend."));
    }

    @Test
    void poolAndHookRenderIntoTheConfigMapAndSecretAndBecomeReadyWhenTheRuntimeLoadsThem() {
        createSecret("pg-creds", Map.of("password", "s3cret"));
        create(pool("pgsql1", PoolType.PGSQL, s -> {
            s.setServers(List.of("127.0.0.1:5432"));
            s.setCredentials(credentials("pg-creds", null, "password"));
        }));
        create(hook("store", HookPoint.MESSAGE_PUBLISH, "pgsql1", 1, s -> {
            s.setTopic("sensors/#");
            s.setAction(function("on_message_publish"));
        }));

        awaitCondition(BackendHook.class, "store", "Ready", "True", "Ready");
        awaitCondition(BackendPool.class, "pgsql1", "Ready", "True", "Ready");
        Map<String, String> files = files();
        assertThat(files.get("backends.conf")).contains("backend.pgsql.pgsql1.server = 127.0.0.1:5432",
                "backend.pgsql.hook.message.publish.1 = {\"topic\":\"sensors/#\",\"action\":{\"function\":"
                        + "\"on_message_publish\"},\"pool\":\"pgsql1\"}").doesNotContain("s3cret");
        assertThat(files.get("credentials.conf")).contains("backend.pgsql.pgsql1.password = \"s3cret\"");
        BackendHook hook = get(BackendHook.class, "store");
        assertThat(hook.getStatus().getObservedGeneration()).isEqualTo(hook.getMetadata().getGeneration());
        assertThat(condition(hook, "Valid").map(Condition::getReason)).contains("Rendered");
        assertThat(condition(hook, "Applied").map(Condition::getReason)).contains("Loaded");
    }

    @Test
    void appliedIsPendingUntilTheRuntimeReportsTheRenderedHashAndReloadFailedWhenItRejectsIt() {
        runtime.reports(() -> new FakeRuntime.State("0".repeat(64), null, null));
        create(pool("pgsql1", PoolType.PGSQL, s -> { }));
        awaitCondition(BackendPool.class, "pgsql1", "Applied", "Unknown", "Pending");
        assertThat(condition(get(BackendPool.class, "pgsql1"), "Ready").map(Condition::getStatus)).contains("Unknown");

        runtime.reports(() -> new FakeRuntime.State("0".repeat(64), "backends.conf:2: unknown key 'x'",
                renderedHash()));
        awaitCondition(BackendPool.class, "pgsql1", "Applied", "False", "ReloadFailed");
        assertThat(condition(get(BackendPool.class, "pgsql1"), "Applied").map(Condition::getMessage))
                .contains("backends.conf:2: unknown key 'x'");

        // Rechecked without any change of the resource: the runtime catching up is enough.
        runtime.reports(() -> new FakeRuntime.State(renderedHash(), null, null));
        awaitCondition(BackendPool.class, "pgsql1", "Applied", "True", "Loaded");
    }

    @Test
    void anUnreachableRuntimeLeavesAppliedPendingWithTheReason() {
        runtime.failsWith(503);
        create(pool("pgsql1", PoolType.PGSQL, s -> { }));
        awaitCondition(BackendPool.class, "pgsql1", "Applied", "Unknown", "Pending");
        assertThat(condition(get(BackendPool.class, "pgsql1"), "Applied").map(Condition::getMessage).orElseThrow())
                .contains("not reachable", "HTTP 503");
    }

    @Test
    void aHookWithoutItsPoolSaysPoolNotFoundUntilThePoolAppears() {
        create(hook("store", HookPoint.MESSAGE_PUBLISH, "pgsql1", 1, s -> s.setAction(function("on_message_publish"))));
        awaitCondition(BackendHook.class, "store", "Valid", "False", "PoolNotFound");
        assertThat(condition(get(BackendHook.class, "store"), "Applied").map(Condition::getReason))
                .contains("NotRendered");
        assertThat(files().get("backends.conf")).doesNotContain(".hook.");

        create(pool("pgsql1", PoolType.PGSQL, s -> { }));
        awaitCondition(BackendHook.class, "store", "Ready", "True", "Ready");
        assertThat(files().get("backends.conf")).contains("backend.pgsql.hook.message.publish.1");
    }

    @Test
    void functionAndTopicProblemsAreReportedOnTheHookAndKeepItOutWhileOthersRender() {
        create(pool("pgsql1", PoolType.PGSQL, s -> { }));
        create(hook("redis-only", HookPoint.SESSION_SUBSCRIBED, "pgsql1", 1,
                s -> s.setAction(function("on_message_fetch_for_queue"))));
        create(hook("bad-topic", HookPoint.MESSAGE_PUBLISH, "pgsql1", 1, s -> {
            s.setTopic("sensors/#/temp");
            s.setAction(function("on_message_publish"));
        }));
        create(hook("good", HookPoint.MESSAGE_PUBLISH, "pgsql1", 2, s -> s.setAction(function("on_message_retain"))));
        awaitCondition(BackendHook.class, "redis-only", "Valid", "False", "FunctionNotSupported");
        awaitCondition(BackendHook.class, "bad-topic", "Valid", "False", "InvalidTopicFilter");
        awaitCondition(BackendHook.class, "good", "Ready", "True", "Ready");
        assertThat(condition(get(BackendHook.class, "redis-only"), "Valid").map(Condition::getMessage).orElseThrow())
                .contains("on_message_fetch_for_queue", "pgsql");
        assertThat(files().get("backends.conf")).contains("on_message_retain")
                .doesNotContain("on_message_fetch_for_queue", "sensors/#/temp");
    }

    @Test
    void aMissingSecretIsReportedAndItsCreationAndLaterPasswordChangesReRender() {
        create(pool("pgsql1", PoolType.PGSQL, s -> s.setCredentials(credentials("pg-creds", "user", "password"))));
        awaitCondition(BackendPool.class, "pgsql1", "Valid", "False", "SecretNotFound");

        createSecret("pg-creds", Map.of("user", "mqtt", "password", "first"));
        awaitCondition(BackendPool.class, "pgsql1", "Ready", "True", "Ready");
        assertThat(files().get("credentials.conf")).contains("backend.pgsql.pgsql1.username = \"mqtt\"",
                "backend.pgsql.pgsql1.password = \"first\"");

        String hashBefore = renderedHash();
        client.secrets().inNamespace(NS).resource(secretWith("pg-creds", Map.of("user", "mqtt", "password", "second")))
                .update();
        await().atMost(TIMEOUT).until(() -> files().get("credentials.conf")
                .contains("backend.pgsql.pgsql1.password = \"second\""));
        assertThat(renderedHash()).isNotEqualTo(hashBefore);
        assertThat(files().get("credentials.conf")).doesNotContain("first");
        awaitCondition(BackendPool.class, "pgsql1", "Applied", "True", "Loaded");
    }

    /**
     * The case found on our machines: a password holding U+2028 and then a hook line. It used to pass the operator's
     * check and become a hook in the runtime; now the pool says which Secret key is bad, never its value, and the
     * namespace's other resources still apply.
     */
    @Test
    void aSecretPasswordWithU2028IsRefusedOnItsPoolNamingTheKeyWhileTheRestOfTheNamespaceApplies() {
        String injected = "backend.pgsql.hook.message.publish.9 = {\"topic\":\"#\",\"action\":{\"sql\":"
                + "[\"delete from canary\"]},\"pool\":\"good\"}";
        createSecret("bad-creds", Map.of("password", "s3cret\u2028" + injected));
        createSecret("good-creds", Map.of("password", "fine"));
        create(pool("bad", PoolType.PGSQL, s -> s.setCredentials(credentials("bad-creds", null, "password"))));
        create(pool("good", PoolType.PGSQL, s -> s.setCredentials(credentials("good-creds", null, "password"))));
        create(hook("store", HookPoint.MESSAGE_PUBLISH, "good", 1, s -> s.setAction(function("on_message_publish"))));

        awaitCondition(BackendPool.class, "bad", "Valid", "False", "InvalidSecret");
        awaitCondition(BackendPool.class, "good", "Ready", "True", "Ready");
        awaitCondition(BackendHook.class, "store", "Ready", "True", "Ready");
        BackendPool bad = get(BackendPool.class, "bad");
        assertThat(condition(bad, "Valid").orElseThrow().getMessage()).isEqualTo("spec.credentials.password: the "
                + "value of Secret 'bad-creds' key 'password' contains U+2028 (LINE SEPARATOR), a line terminator; "
                + "conf values cannot hold line breaks (the value is not shown)");
        assertThat(Serialization.asJson(bad.getStatus())).doesNotContain("s3cret").doesNotContain("canary");
        Map<String, String> files = files();
        assertThat(files.get("credentials.conf")).contains("backend.pgsql.good.password = \"fine\"")
                .doesNotContain("s3cret");
        assertThat(files.get("backends.conf")).contains("backend.pgsql.hook.message.publish.1 = ")
                .doesNotContain("canary").doesNotContain("backend.pgsql.bad.");
    }

    @Test
    void aReferencedSecretWithoutTheLabelIsNeverReadAndIsReportedUntilTheUserLabelsIt() throws InterruptedException {
        recordedRequests();
        Secret plain = unlabelledSecret("pg-plain", Map.of("password", "hidden-value"));
        plain.getMetadata().setNamespace(NS);
        plain.getMetadata().getLabels().put("test", "true");
        // Kept as created (its resourceVersion set), so that updating it needs no GET from this test.
        plain = client.secrets().inNamespace(NS).resource(plain).create();
        create(pool("pgsql1", PoolType.PGSQL, s -> s.setCredentials(credentials("pg-plain", null, "password"))));

        awaitCondition(BackendPool.class, "pgsql1", "Valid", "False", "SecretNotFound");
        assertThat(condition(get(BackendPool.class, "pgsql1"), "Valid").map(Condition::getMessage).orElseThrow())
                .isEqualTo("spec.credentials.password: no Secret 'pg-plain' labelled mqttbackends.io/credentials=true"
                        + " (the operator reads no other Secret); create it, or label it: kubectl label secret "
                        + "pg-plain mqttbackends.io/credentials=true");
        assertThat(files().get("credentials.conf")).doesNotContain("hidden-value", "pgsql1");

        // Labelling it (a PUT, no read by this test) is an event of the labelled informer: the pool renders.
        plain.getMetadata().getLabels().put("mqttbackends.io/credentials", "true");
        client.secrets().inNamespace(NS).resource(plain).update();
        awaitCondition(BackendPool.class, "pgsql1", "Ready", "True", "Ready");
        assertThat(files().get("credentials.conf")).contains("backend.pgsql.pgsql1.password = \"hidden-value\"");

        // What the Role grants is all the operator asked for: Secrets only by the label, or its own by name.
        List<RecordedRequest> requests = recordedRequests();
        List<String> secretReads = requests.stream()
                .filter(r -> r.getMethod().equals("GET") && r.getPath().contains("/secrets"))
                .map(RecordedRequest::getPath).toList();
        List<String> configMapRequests = requests.stream().filter(r -> r.getPath().contains("/configmaps"))
                .map(RecordedRequest::getPath).toList();
        assertThat(secretReads).isNotEmpty().allSatisfy(path -> assertThat(path).satisfiesAnyOf(
                p -> assertThat(p).contains("labelSelector=mqttbackends.io%2Fcredentials%3Dtrue"),
                p -> assertThat(p).contains("fieldSelector=metadata.name%3Dmqttbackends-credentials"),
                p -> assertThat(p).contains("/secrets/mqttbackends-credentials")));
        assertThat(configMapRequests).isNotEmpty().allSatisfy(path -> assertThat(path).satisfiesAnyOf(
                p -> assertThat(p).contains("fieldSelector=metadata.name%3Dmqttbackends-conf"),
                p -> assertThat(p).contains("/configmaps/mqttbackends-conf")));
    }

    @Test
    void deletingAPoolThatHooksReferenceIsReportedOnThoseHooks() {
        create(pool("pgsql1", PoolType.PGSQL, s -> { }));
        create(hook("store", HookPoint.MESSAGE_PUBLISH, "pgsql1", 1, s -> s.setAction(function("on_message_publish"))));
        awaitCondition(BackendHook.class, "store", "Ready", "True", "Ready");

        client.resources(BackendPool.class).inNamespace(NS).withName("pgsql1").delete();
        awaitCondition(BackendHook.class, "store", "Valid", "False", "PoolNotFound");
        await().atMost(TIMEOUT).until(() -> client.resources(BackendPool.class).inNamespace(NS).withName("pgsql1")
                .get() == null);
        assertThat(files().get("backends.conf")).doesNotContain("backend.pgsql");
    }

    @Test
    void twoHooksWithTheSameOrderKeepTheFirstAndReportOrderConflictOnTheOther() {
        create(pool("pgsql1", PoolType.PGSQL, s -> { }));
        create(hook("first", HookPoint.MESSAGE_PUBLISH, "pgsql1", 1, s -> s.setAction(function("on_message_publish"))));
        awaitCondition(BackendHook.class, "first", "Ready", "True", "Ready");
        create(hook("second", HookPoint.MESSAGE_PUBLISH, "pgsql1", 1, s -> s.setAction(function("on_message_retain"))));
        awaitCondition(BackendHook.class, "second", "Valid", "False", "OrderConflict");
        assertThat(condition(get(BackendHook.class, "first"), "Ready").map(Condition::getStatus)).contains("True");

        // Moving it to a free order resolves the clash.
        BackendHook second = get(BackendHook.class, "second");
        second.getSpec().setOrder(2);
        client.resources(BackendHook.class).inNamespace(NS).resource(second).update();
        awaitCondition(BackendHook.class, "second", "Ready", "True", "Ready");
        assertThat(files().get("backends.conf")).contains("message.publish.1", "message.publish.2");
    }

    @Test
    void aSpecChangeMovesObservedGenerationAndAnUnchangedStatusIsNotPatchedAgain() throws InterruptedException {
        createSecret("pg-creds", Map.of("password", "pw"));
        create(pool("pgsql1", PoolType.PGSQL, s -> s.setCredentials(credentials("pg-creds", null, "password"))));
        awaitCondition(BackendPool.class, "pgsql1", "Ready", "True", "Ready");
        BackendPool pool = get(BackendPool.class, "pgsql1");
        pool.getSpec().setPoolSize(4);
        client.resources(BackendPool.class).inNamespace(NS).resource(pool).update();
        await().atMost(TIMEOUT).until(() -> {
            BackendPool now = get(BackendPool.class, "pgsql1");
            return now.getStatus().getObservedGeneration().equals(now.getMetadata().getGeneration())
                    && now.getMetadata().getGeneration() > 1
                    && condition(now, "Ready").map(Condition::getStatus).orElse("").equals("True");
        });
        assertThat(files().get("backends.conf")).contains("backend.pgsql.pgsql1.pool_size = 4");

        // A Secret event with no data change reconciles the pool again, and its unchanged status is not patched.
        // Each reconcile asks the runtime once, so two more questions after the touch prove two reconciles, and
        // since the reconciles of one resource run one after another, the first has sent all it was going to send
        // to the API server by the time the second asks.
        recordedRequests();
        int requests = runtime.requests();
        touchSecret("pg-creds", "first");
        await().atMost(TIMEOUT).until(() -> runtime.requests() > requests);
        touchSecret("pg-creds", "second");
        await().atMost(TIMEOUT).until(() -> runtime.requests() > requests + 1);
        assertThat(recordedRequests()).as("requests to the API server after the touch")
                .noneMatch(r -> r.getMethod().equals("PATCH") && r.getPath().endsWith("/backendpools/pgsql1/status"))
                .anyMatch(r -> r.getMethod().equals("PUT") && r.getPath().endsWith("/secrets/pg-creds"));
    }

    @Test
    void aPoolWithoutBackendAndAHookWithAnUnknownPlaceholderAreRefusedAndAValidHookAddedLaterIsApplied() {
        create(pool("redis1", PoolType.REDIS, s -> { }));
        create(pool("pgsql1", PoolType.PGSQL, s -> { }));
        create(hook("typo", HookPoint.MESSAGE_PUBLISH, "pgsql1", 1,
                s -> s.setAction(sql("insert into t values (${clientid}, ${topik})"))));
        awaitCondition(BackendPool.class, "redis1", "Valid", "False", "BackendNotAvailable");
        awaitCondition(BackendHook.class, "typo", "Valid", "False", "InvalidTemplate");
        assertThat(condition(get(BackendPool.class, "redis1"), "Valid").map(Condition::getMessage).orElseThrow())
                .isEqualTo("no backend for database 'redis' in this build (available: cassa, mongo, mysql, pgsql)");
        assertThat(condition(get(BackendHook.class, "typo"), "Valid").map(Condition::getMessage).orElseThrow())
                .startsWith("unknown placeholder ${topik} in 'insert into t values (${clientid}, ${topik})'");
        assertThat(condition(get(BackendHook.class, "typo"), "Applied").map(Condition::getReason))
                .contains("NotRendered");

        create(hook("store", HookPoint.MESSAGE_PUBLISH, "pgsql1", 2, s -> s.setAction(function("on_message_publish"))));
        awaitCondition(BackendHook.class, "store", "Ready", "True", "Ready");
        assertThat(condition(get(BackendHook.class, "store"), "Valid").map(Condition::getReason)).contains("Rendered");
        assertThat(files().get("backends.conf")).contains("backend.pgsql.pgsql1.server = 127.0.0.1:5432",
                "backend.pgsql.hook.message.publish.2 = {\"action\":{\"function\":\"on_message_publish\"},"
                        + "\"pool\":\"pgsql1\"}").doesNotContain("backend.redis", "redis1", "topik");
        assertThat(condition(get(BackendPool.class, "redis1"), "Ready").map(Condition::getReason))
                .contains("BackendNotAvailable");
    }

    @Test
    void theShippedExamplesRenderAndBecomeReady() throws IOException {
        try (Stream<Path> files = Files.list(RepoFiles.path("deploy/examples"))) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                createExample(file);
            }
        }
        awaitCondition(BackendPool.class, "pgsql1", "Ready", "True", "Ready");
        for (String hook : List.of("store-sensors", "retain-all", "forget-cursor", "fetch-offline")) {
            awaitCondition(BackendHook.class, hook, "Ready", "True", "Ready");
        }
        // The example Secret uses stringData, as users write it; the password reaches credentials.conf.
        assertThat(files().get("credentials.conf")).contains("backend.pgsql.pgsql1.password = \"public\"");
        assertThat(files().get("backends.conf")).contains("backend.pgsql.pgsql1.server = postgres.databases.svc:5432",
                "backend.pgsql.hook.session.unsubscribed.1 = {\"topic\":\"#\",\"action\":{\"sql\":"
                        + "[\"delete from mqtt_acked where clientid = ${clientid} and topic = ${topic}\"]},"
                        + "\"pool\":\"pgsql1\"}");
    }

    @Test
    void theShippedMongoExampleRendersEveryEmqxDefaultHookAndBecomesReady() throws IOException {
        Path dir = RepoFiles.path("deploy/examples/mongo");
        // What the kustomization applies, and the hook it leaves for runtimes with broker control emqx: the operator
        // renders that one too (the broker control is the runtime's to judge, and this fake runtime loads anything).
        for (String file : List.of("mongo-credentials.yaml", "mongo-pool.yaml", "mongo-hooks.yaml",
                "mongo-hook-subscribe-lookup.yaml")) {
            createExample(dir.resolve(file));
        }
        awaitCondition(BackendPool.class, "mongo1", "Ready", "True", "Ready");
        for (String hook : List.of("mongo-client-connected", "mongo-subscribe-lookup", "mongo-client-disconnected",
                "mongo-fetch-offline", "mongo-retain-lookup", "mongo-acked-delete", "mongo-message-publish",
                "mongo-message-retain", "mongo-retain-delete", "mongo-message-acked")) {
            awaitCondition(BackendHook.class, hook, "Ready", "True", "Ready");
        }
        assertThat(confLines(files().get("backends.conf"))).containsExactly(
                "backend.mongo.mongo1.server = mongodb.databases.svc:27017",
                "backend.mongo.mongo1.c_pool_size = 8",
                "backend.mongo.mongo1.schema.init = true",
                "backend.mongo.mongo1.database = \"mqtt\"",
                "backend.mongo.mongo1.type = single",
                "backend.mongo.mongo1.w_mode = safe",
                "backend.mongo.mongo1.r_mode = slave_ok",
                "backend.mongo.mongo1.auth_source = \"admin\"",
                "backend.mongo.topology.connect_timeout_ms = 20000",
                "backend.mongo.topology.server_selection_timeout_ms = 30000",
                "backend.mongo.hook.client.connected.1 = {\"action\":{\"function\":\"on_client_connected\"},"
                        + "\"pool\":\"mongo1\"}",
                "backend.mongo.hook.client.connected.2 = {\"action\":{\"function\":\"on_subscribe_lookup\"},"
                        + "\"pool\":\"mongo1\"}",
                "backend.mongo.hook.client.disconnected.1 = {\"action\":{\"function\":\"on_client_disconnected\"},"
                        + "\"pool\":\"mongo1\"}",
                "backend.mongo.hook.session.subscribed.1 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_message_fetch\"},\"offline_opts\":{\"max_returned_count\":500,\"time_range\":"
                        + "\"2h\"},\"pool\":\"mongo1\"}",
                "backend.mongo.hook.session.subscribed.2 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_retain_lookup\"},\"pool\":\"mongo1\"}",
                "backend.mongo.hook.session.unsubscribed.1 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_acked_delete\"},\"pool\":\"mongo1\"}",
                "backend.mongo.hook.message.publish.1 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_message_publish\"},\"payload_format\":\"mongo_json\",\"pool\":\"mongo1\"}",
                "backend.mongo.hook.message.publish.2 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_message_retain\"},\"pool\":\"mongo1\"}",
                "backend.mongo.hook.message.publish.3 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_retain_delete\"},\"pool\":\"mongo1\"}",
                "backend.mongo.hook.message.acked.1 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_message_acked\"},\"pool\":\"mongo1\"}");
        assertThat(confLines(files().get("credentials.conf"))).containsExactly(
                "backend.mongo.mongo1.login = \"mqtt\"", "backend.mongo.mongo1.password = \"public\"");
    }

    @Test
    void theShippedCassandraExampleRendersEveryEmqxDefaultHookAndBecomesReady() throws IOException {
        Path dir = RepoFiles.path("deploy/examples/cassandra");
        // What the kustomization applies, and the hook it leaves for runtimes with broker control emqx.
        for (String file : List.of("cassandra-credentials.yaml", "cassandra-pool.yaml", "cassandra-hooks.yaml",
                "cassandra-hook-subscription-lookup.yaml")) {
            createExample(dir.resolve(file));
        }
        awaitCondition(BackendPool.class, "cassandra1", "Ready", "True", "Ready");
        for (String hook : List.of("cassandra-client-connected", "cassandra-subscription-lookup",
                "cassandra-client-disconnected", "cassandra-fetch-offline", "cassandra-retain-lookup",
                "cassandra-acked-delete", "cassandra-message-publish", "cassandra-message-retain",
                "cassandra-retain-delete", "cassandra-message-acked")) {
            awaitCondition(BackendHook.class, hook, "Ready", "True", "Ready");
        }
        assertThat(confLines(files().get("backends.conf"))).containsExactly(
                "backend.ecql.cassandra1.nodes = cassandra-0.cassandra.databases.svc:9042,"
                        + "cassandra-1.cassandra.databases.svc:9042",
                "backend.ecql.cassandra1.size = 8",
                "backend.ecql.cassandra1.schema.init = true",
                "backend.ecql.cassandra1.keyspace = \"mqtt\"",
                "backend.ecql.cassandra1.auto_reconnect = 1",
                "backend.ecql.cassandra1.consistency = LOCAL_QUORUM",
                "backend.ecql.cassandra1.logger = \"info\"",
                "backend.ecql.cassandra1.local_datacenter = \"datacenter1\"",
                "backend.cassa.hook.client.connected.1 = {\"action\":{\"function\":\"on_client_connected\"},"
                        + "\"pool\":\"cassandra1\"}",
                "backend.cassa.hook.client.connected.2 = {\"action\":{\"function\":\"on_subscription_lookup\"},"
                        + "\"pool\":\"cassandra1\"}",
                "backend.cassa.hook.client.disconnected.1 = {\"action\":{\"function\":"
                        + "\"on_client_disconnected\"},\"pool\":\"cassandra1\"}",
                "backend.cassa.hook.session.subscribed.1 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_message_fetch\"},\"offline_opts\":{\"max_returned_count\":500,\"time_range\":"
                        + "\"2h\"},\"pool\":\"cassandra1\"}",
                "backend.cassa.hook.session.subscribed.2 = {\"action\":{\"function\":\"on_retain_lookup\"},"
                        + "\"pool\":\"cassandra1\"}",
                "backend.cassa.hook.session.unsubscribed.1 = {\"topic\":\"#\",\"action\":{\"cql\":[\"delete "
                        + "from acked where clientid = ${clientid} and topic = ${topic}\"]},\"pool\":\"cassandra1\"}",
                "backend.cassa.hook.message.publish.1 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_message_publish\"},\"pool\":\"cassandra1\"}",
                "backend.cassa.hook.message.publish.2 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_message_retain\"},\"pool\":\"cassandra1\"}",
                "backend.cassa.hook.message.publish.3 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_retain_delete\"},\"pool\":\"cassandra1\"}",
                "backend.cassa.hook.message.acked.1 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_message_acked\"},\"pool\":\"cassandra1\"}");
        assertThat(confLines(files().get("credentials.conf"))).containsExactly(
                "backend.ecql.cassandra1.username = \"cassandra\"", "backend.ecql.cassandra1.password = \"cassandra\"");
    }

    @Test
    void sqlAndCommandsHooksOnACassandraPoolAreRefusedNamingWhyAndACqlRewriteIsApplied() {
        create(pool("cassandra1", PoolType.CASSANDRA, s -> s.setServers(List.of("127.0.0.1:9042"))));
        create(hook("forget-cursor", HookPoint.SESSION_UNSUBSCRIBED, "cassandra1", 1, s -> {
            s.setTopic("#");
            s.setAction(sql("delete from acked where clientid = ${clientid} and topic = ${topic}"));
        }));
        HookAction commands = new HookAction();
        commands.setCommands(List.of("HSET mqtt:client:${clientid} state 1"));
        create(hook("redis-style", HookPoint.CLIENT_CONNECTED, "cassandra1", 1, s -> s.setAction(commands)));
        create(hook("store", HookPoint.MESSAGE_PUBLISH, "cassandra1", 1,
                s -> s.setAction(function("on_message_publish"))));
        awaitCondition(BackendHook.class, "forget-cursor", "Valid", "False", "ActionNotSupported");
        awaitCondition(BackendHook.class, "redis-style", "Valid", "False", "ActionNotSupported");
        awaitCondition(BackendHook.class, "store", "Ready", "True", "Ready");
        assertThat(condition(get(BackendHook.class, "forget-cursor"), "Valid").map(Condition::getMessage)
                .orElseThrow()).isEqualTo("'sql' statements do not run on cassa; use 'cql'");
        assertThat(condition(get(BackendHook.class, "redis-style"), "Valid").map(Condition::getMessage)
                .orElseThrow()).isEqualTo("'commands' statements do not run on cassa; use 'cql'");
        assertThat(condition(get(BackendHook.class, "forget-cursor"), "Applied").map(Condition::getReason))
                .contains("NotRendered");
        assertThat(condition(get(BackendHook.class, "forget-cursor"), "Ready").map(Condition::getReason))
                .contains("ActionNotSupported");
        assertThat(confLines(files().get("backends.conf"))).containsExactly(
                "backend.ecql.cassandra1.nodes = 127.0.0.1:9042",
                "backend.cassa.hook.message.publish.1 = {\"action\":{\"function\":\"on_message_publish\"},"
                        + "\"pool\":\"cassandra1\"}");

        // Rewritten as EMQX's cassa conf has it, cql, it renders.
        BackendHook forget = get(BackendHook.class, "forget-cursor");
        HookAction cql = new HookAction();
        cql.setCql(forget.getSpec().getAction().getSql());
        forget.getSpec().setAction(cql);
        client.resources(BackendHook.class).inNamespace(NS).resource(forget).update();
        awaitCondition(BackendHook.class, "forget-cursor", "Ready", "True", "Ready");
        assertThat(files().get("backends.conf")).contains("backend.cassa.hook.session.unsubscribed.1 = {\"topic\":"
                + "\"#\",\"action\":{\"cql\":[\"delete from acked where clientid = ${clientid} and topic = "
                + "${topic}\"]},\"pool\":\"cassandra1\"}").doesNotContain("HSET");
    }

    @Test
    void aCassandraPoolWithAKeyspaceCqlCannotNameIsRefusedUntilCorrected() {
        create(pool("cassandra1", PoolType.CASSANDRA, s -> s.setDatabase("mqtt-prod")));
        create(hook("store", HookPoint.MESSAGE_PUBLISH, "cassandra1", 1,
                s -> s.setAction(function("on_message_publish"))));
        awaitCondition(BackendPool.class, "cassandra1", "Valid", "False", "InvalidSpec");
        awaitCondition(BackendHook.class, "store", "Valid", "False", "PoolNotValid");
        assertThat(condition(get(BackendPool.class, "cassandra1"), "Valid").map(Condition::getMessage)).contains(
                "'mqtt-prod' is not valid for keyspace: expected 1 to 48 letters, digits and underscores");
        assertThat(files().get("backends.conf")).doesNotContain("ecql", "cassa");

        BackendPool pool = get(BackendPool.class, "cassandra1");
        pool.getSpec().setDatabase("mqtt_prod");
        client.resources(BackendPool.class).inNamespace(NS).resource(pool).update();
        awaitCondition(BackendHook.class, "store", "Ready", "True", "Ready");
        assertThat(confLines(files().get("backends.conf"))).containsExactly(
                "backend.ecql.cassandra1.nodes = 127.0.0.1:9042",
                "backend.ecql.cassandra1.keyspace = \"mqtt_prod\"",
                "backend.cassa.hook.message.publish.1 = {\"action\":{\"function\":\"on_message_publish\"},"
                        + "\"pool\":\"cassandra1\"}");
    }

    @Test
    void aStatementHookOnAMongoPoolIsRefusedNamingWhyWhileItsFunctionHooksApply() {
        create(pool("mongo1", PoolType.MONGO, s -> s.setServers(List.of("127.0.0.1:27017"))));
        create(hook("forget-cursor", HookPoint.SESSION_UNSUBSCRIBED, "mongo1", 1, s -> {
            s.setTopic("#");
            s.setAction(sql("delete from mqtt_acked where clientid = ${clientid} and topic = ${topic}"));
        }));
        create(hook("store", HookPoint.MESSAGE_PUBLISH, "mongo1", 1, s -> {
            s.setAction(function("on_message_publish"));
            s.setPayloadFormat(PayloadFormat.MONGO_JSON);
        }));
        awaitCondition(BackendHook.class, "forget-cursor", "Valid", "False", "ActionNotSupported");
        awaitCondition(BackendHook.class, "store", "Ready", "True", "Ready");
        assertThat(condition(get(BackendHook.class, "forget-cursor"), "Valid").map(Condition::getMessage))
                .contains("MongoDB hooks cannot run 'sql' statements: only functions exist for MongoDB");
        assertThat(condition(get(BackendHook.class, "forget-cursor"), "Ready").map(Condition::getReason))
                .contains("ActionNotSupported");
        assertThat(files().get("backends.conf")).contains("backend.mongo.hook.message.publish.1 = {\"action\":"
                + "{\"function\":\"on_message_publish\"},\"payload_format\":\"mongo_json\",\"pool\":\"mongo1\"}")
                .doesNotContain("mqtt_acked", "session.unsubscribed");

        // Rewritten as EMQX's mongo conf has it, a function, it renders.
        BackendHook forget = get(BackendHook.class, "forget-cursor");
        forget.getSpec().setAction(function("on_acked_delete"));
        client.resources(BackendHook.class).inNamespace(NS).resource(forget).update();
        awaitCondition(BackendHook.class, "forget-cursor", "Ready", "True", "Ready");
        assertThat(files().get("backends.conf")).contains("backend.mongo.hook.session.unsubscribed.1 = {\"topic\":"
                + "\"#\",\"action\":{\"function\":\"on_acked_delete\"},\"pool\":\"mongo1\"}");
    }

    @Test
    void aMongoPoolDisagreeingWithAnEarlierPoolsTopologyIsRefusedUntilItAgrees() {
        create(pool("mongo-a", PoolType.MONGO, s -> s.setMongo(topology(5000))));
        awaitCondition(BackendPool.class, "mongo-a", "Ready", "True", "Ready");
        create(pool("mongo-b", PoolType.MONGO, s -> s.setMongo(topology(9000))));
        awaitCondition(BackendPool.class, "mongo-b", "Valid", "False", "TopologyConflict");
        assertThat(condition(get(BackendPool.class, "mongo-b"), "Valid").map(Condition::getMessage)).contains(
                "spec.mongo.topology: backend.mongo.topology.connect_timeout_ms = 9000 conflicts with 5000 given by "
                        + "BackendPool 'mongo-a' (created first); these settings are global in the runtime, one "
                        + "value for all mongo pools");
        assertThat(condition(get(BackendPool.class, "mongo-a"), "Ready").map(Condition::getStatus)).contains("True");
        assertThat(files().get("backends.conf")).contains("backend.mongo.topology.connect_timeout_ms = 5000")
                .doesNotContain("mongo-b", "9000");

        BackendPool b = get(BackendPool.class, "mongo-b");
        b.getSpec().getMongo().getTopology().setConnectTimeoutMs(5000);
        client.resources(BackendPool.class).inNamespace(NS).resource(b).update();
        awaitCondition(BackendPool.class, "mongo-b", "Ready", "True", "Ready");
        assertThat(confLines(files().get("backends.conf"))).containsExactly(
                "backend.mongo.mongo-a.server = 127.0.0.1:27017",
                "backend.mongo.mongo-b.server = 127.0.0.1:27017",
                "backend.mongo.topology.connect_timeout_ms = 5000");
    }

    private static MongoOptions topology(int connectTimeoutMs) {
        MongoOptions mongo = new MongoOptions();
        mongo.setTopology(new MongoTopology());
        mongo.getTopology().setConnectTimeoutMs(connectTimeoutMs);
        return mongo;
    }

    private static List<String> confLines(String conf) {
        return conf.lines().filter(l -> !l.startsWith("#")).toList();
    }

    /** Creates every resource of an example file as kubectl would; its Secrets labelled for the cleanup. */
    private void createExample(Path file) throws IOException {
        for (JsonNode doc : RepoFiles.documents(file)) {
            Class<? extends HasMetadata> type = switch (doc.path("kind").asText()) {
                case "Secret" -> Secret.class;
                case "BackendPool" -> BackendPool.class;
                case "BackendHook" -> BackendHook.class;
                default -> throw new IllegalArgumentException(file + ": unexpected kind " + doc.path("kind"));
            };
            HasMetadata resource = Serialization.unmarshal(doc.toString(), type);
            if (resource instanceof Secret secret) {
                // Added to the example's own labels: the operator reads it only if the example carries its label.
                Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(secret.getMetadata()
                        .getLabels(), Map.of()));
                labels.put("test", "true");
                secret.getMetadata().setLabels(labels);
            }
            create(resource);
        }
    }

    /** Changes a label only: an event for every informer of Secrets, and nothing to render differently. */
    private void touchSecret(String name, String value) {
        Secret secret = client.secrets().inNamespace(NS).withName(name).get();
        secret.getMetadata().getLabels().put("touched", value);
        client.secrets().inNamespace(NS).resource(secret).update();
    }

    /** Takes every request the test API server has received since the last call, oldest first. */
    private List<RecordedRequest> recordedRequests() throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        for (RecordedRequest r; (r = server.getKubernetesMockServer().takeRequest(0, TimeUnit.SECONDS)) != null; ) {
            requests.add(r);
        }
        return requests;
    }

    private <R extends HasMetadata> void create(R resource) {
        client.resource(resource).inNamespace(NS).create();
    }

    private void createSecret(String name, Map<String, String> values) {
        client.secrets().inNamespace(NS).resource(secretWith(name, values)).create();
    }

    private static Secret secretWith(String name, Map<String, String> values) {
        Secret secret = secret(name, values);
        secret.getMetadata().setNamespace(NS);
        secret.getMetadata().getLabels().put("test", "true");
        return secret;
    }

    private <R extends CustomResource<?, BackendStatus>> R get(Class<R> type, String name) {
        return client.resources(type).inNamespace(NS).withName(name).get();
    }

    private static Optional<Condition> condition(CustomResource<?, BackendStatus> resource, String type) {
        if (resource == null || resource.getStatus() == null) {
            return Optional.empty();
        }
        return resource.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst();
    }

    private <R extends CustomResource<?, BackendStatus>> void awaitCondition(Class<R> type, String name,
            String conditionType, String status, String reason) {
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(condition(get(type, name), conditionType))
                .as("%s %s condition %s", type.getSimpleName(), name, conditionType)
                .hasValueSatisfying(c -> {
                    assertThat(c.getStatus()).isEqualTo(status);
                    assertThat(c.getReason()).isEqualTo(reason);
                }));
    }

    /** The two rendered files as the kubelet would mount them. */
    private Map<String, String> files() {
        ConfigMap cm = client.configMaps().inNamespace(NS).withName("mqttbackends-conf").get();
        Secret secret = client.secrets().inNamespace(NS).withName("mqttbackends-credentials").get();
        String backends = cm == null ? "" : cm.getData().get("backends.conf");
        String credentials = secret == null ? "" : new String(Base64.getDecoder().decode(
                secret.getData().get("credentials.conf")), StandardCharsets.UTF_8);
        return Map.of("backends.conf", backends, "credentials.conf", credentials);
    }

    private String renderedHash() {
        Map<String, String> files = files();
        return Rendering.hash(files.get("backends.conf"), files.get("credentials.conf"));
    }
}
