package io.mqttbackends.runtime.hook;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttbackends.runtime.backend.Backends;
import io.mqttbackends.runtime.backend.pgsql.PgsqlBackend;
import io.mqttbackends.runtime.broker.MqttBrokerControl;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.health.ConfigStatusRoute;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.ingest.TestConfigs;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.mqttbackends.runtime.testing.LogCapture;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.enterprise.util.TypeLiteral;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the reloader applies a change, poll by poll: only a hash read twice in a row, never a half-written set of
 * files, and a rejected hash once.
 */
class ConfigReloaderTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String POOL = "backend.pgsql.pool1.server = " + TestPostgres.HOST + ":" + TestPostgres.PORT + "\n"
            + "backend.pgsql.pool1.username = postgres\nbackend.pgsql.pool1.database = postgres\n";
    private static final String HOOK_A = "backend.pgsql.hook.message.publish.1 = {\"topic\": \"reload/a/#\", "
            + "\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}\n";
    private static final String HOOK_B = HOOK_A.replace("publish.1", "publish.2").replace("reload/a/", "reload/b/");

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AppliedEvents applied = new AppliedEvents();
    private ActiveConfiguration configuration;
    private ConfigReloader reloader;

    @TempDir
    Path confDir;

    @BeforeEach
    void start() throws IOException {
        write(POOL + HOOK_A);
        RuntimeConfig config = TestConfigs.runtimeConfig(Map.of("conf-dir", confDir.toString()));
        configuration = TestActiveConfiguration.create(config, vertx, registry);
        configuration.load();
        reloader = new ConfigReloader(config, configuration, applied);
    }

    @AfterEach
    void stop() {
        configuration.close();
        vertx.closeAndAwait();
    }

    private void write(String text) throws IOException {
        Files.writeString(confDir.resolve("backends.conf"), text);
    }

    private void poll() {
        reloader.poll().await().atMost(WAIT);
    }

    private String running() {
        return configuration.status().hash().orElseThrow();
    }

    private String onDisk() {
        return ConfLoader.read(List.of(confDir)).hash();
    }

    private String password() {
        return configuration.running().config().pools().get(0).get("password");
    }

    private double failures() {
        return registry.get("mqttbackends.config.loads").tag("outcome", "failure").functionCounter().count();
    }

    @Test
    void aChangeIsAppliedOnTheSecondPollThatReadsIt() throws IOException {
        String before = running();
        write(POOL + HOOK_A + HOOK_B);

        poll();
        assertThat(running()).isEqualTo(before);
        poll();

        assertThat(running()).isEqualTo(onDisk());
        assertThat(applied.hashes).containsExactly(onDisk());
        poll();
        assertThat(applied.hashes).hasSize(1);
    }

    @Test
    void aFileCaughtHalfWrittenIsNeverLoaded() throws IOException {
        String before = running();
        write(POOL + HOOK_A + HOOK_B.substring(0, HOOK_B.length() / 2));
        poll();
        write(POOL + HOOK_A + HOOK_B);
        poll();
        assertThat(running()).isEqualTo(before);
        poll();

        assertThat(running()).isEqualTo(onDisk());
        assertThat(configuration.status().lastRejection()).isEmpty();
        assertThat(failures()).isZero();
    }

    @Test
    void aRejectedChangeIsTriedOnceHoweverOftenItIsRead() throws IOException {
        String before = running();
        write(POOL + HOOK_A + "backend.pgsql.hook.message.publish.2 = {\"action\": {\"function\": \"on_nothing\"}, "
                + "\"pool\": \"pool1\"}\n");
        for (int i = 0; i < 5; i++) {
            poll();
        }

        assertThat(running()).isEqualTo(before);
        assertThat(configuration.status().lastRejection()).hasValueSatisfying(r -> assertThat(r.hash()).isEqualTo(onDisk()));
        assertThat(failures()).isEqualTo(1);
        assertThat(applied.hashes).isEmpty();
    }

    @Test
    void aChangedFileBehindADirReferenceIsReloadedThoughTheConfFilesAndTheirHashStayTheSame() throws IOException {
        Path secret = Files.createDirectories(confDir.resolveSibling(confDir.getFileName() + "-secret"));
        Files.writeString(secret.resolve("password"), "first\n");
        write(POOL + "backend.pgsql.pool1.password = ${dir:" + secret + ":password}\n" + HOOK_A);
        poll();
        poll();
        String hash = running();
        assertThat(password()).isEqualTo("first");

        Files.writeString(secret.resolve("password"), "second\n");
        poll();
        assertThat(password()).isEqualTo("first");
        poll();

        assertThat(password()).isEqualTo("second");
        assertThat(running()).isEqualTo(hash).isEqualTo(onDisk());
        assertThat(applied.hashes).containsExactly(hash, hash);
        poll();
        assertThat(applied.hashes).hasSize(2);
    }

    /**
     * The case found on our machines, through a conf file: a password holding U+2028 and a hook line that runs
     * {@code delete from canary}. The change is rejected naming the line and the code point; the running hooks stay
     * as they were, and neither the error, the config endpoint nor the log shows the password or the hook.
     */
    @Test
    void aPasswordCarryingAHookAfterU2028IsRejectedAndNeitherItNorTheHookShowAnywhere() throws IOException {
        String injected = "backend.pgsql.hook.message.publish.9 = {\"topic\": \"#\", \"action\": {\"sql\": "
                + "[\"delete from canary\"]}, \"pool\": \"pool1\"}";
        String before = running();
        try (LogCapture log = LogCapture.of("io.mqttbackends")) {
            write(POOL + HOOK_A + "backend.pgsql.pool1.password = \"s3cret-pw\u2028" + injected + "\u2028#\"\n");
            poll();
            poll();

            assertThat(running()).isEqualTo(before);
            assertThat(configuration.running().table().size()).isEqualTo(1);
            String error = configuration.status().lastRejection().orElseThrow().error();
            assertThat(error).contains(confDir.resolve("backends.conf") + ":5: backend.pgsql.pool1.password: the line "
                    + "contains U+2028 (LINE SEPARATOR), a line terminator");
            assertThat(error + ConfigStatusRoute.json(configuration.status()).encode() + log.text())
                    .contains("rejected").doesNotContain("s3cret-pw").doesNotContain("canary");
        }
    }

    @Test
    void aMistypedPasswordLineIsRejectedWithoutItsValueInTheErrorTheEndpointOrTheLog() throws IOException {
        try (LogCapture log = LogCapture.of("io.mqttbackends")) {
            write(POOL + HOOK_A + "backend.pgsql.pool1.password: hunter2\npassword hunter2\n");
            poll();
            poll();

            String error = configuration.status().lastRejection().orElseThrow().error();
            assertThat(error).contains(confDir.resolve("backends.conf") + ":5: backend.pgsql.pool1.password: expected "
                    + "'key = value' (the line is not shown)", confDir.resolve("backends.conf") + ":6: password: "
                    + "expected 'key = value'");
            String endpoint = ConfigStatusRoute.json(configuration.status()).encode();
            assertThat(endpoint).contains("expected 'key = value'");
            assertThat(log.text()).contains("rejected", "expected 'key = value'");
            assertThat(error + endpoint + log.text()).doesNotContain("hunter2");
        }
    }

    @Test
    void goingBackToTheRunningFilesAfterAnUnsettledChangeAppliesNothing() throws IOException {
        String before = running();
        write(POOL + HOOK_A + HOOK_B);
        poll();
        write(POOL + HOOK_A);
        poll();
        poll();

        assertThat(running()).isEqualTo(before);
        assertThat(applied.hashes).isEmpty();
    }

    /** Collects the {@link ConfigurationApplied} events the reloader fires. */
    private static final class AppliedEvents implements Event<ConfigurationApplied> {
        final List<String> hashes = new CopyOnWriteArrayList<>();

        @Override
        public void fire(ConfigurationApplied event) {
            hashes.add(event.hash());
        }

        @Override
        public <U extends ConfigurationApplied> CompletionStage<U> fireAsync(U event) {
            fire(event);
            return CompletableFuture.completedFuture(event);
        }

        @Override
        public <U extends ConfigurationApplied> CompletionStage<U> fireAsync(U event, NotificationOptions options) {
            return fireAsync(event);
        }

        @Override
        public Event<ConfigurationApplied> select(Annotation... qualifiers) {
            return this;
        }

        @Override
        public <U extends ConfigurationApplied> Event<U> select(Class<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException("the reloader fires unqualified events only");
        }

        @Override
        public <U extends ConfigurationApplied> Event<U> select(TypeLiteral<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException("the reloader fires unqualified events only");
        }
    }
}
