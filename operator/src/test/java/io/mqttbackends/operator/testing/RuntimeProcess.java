package io.mqttbackends.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The real runtime ({@code runtime/target/quarkus-app/quarkus-run.jar}, built by the reactor before this module's
 * tests) as a child process, configured with system properties; its output goes to a log file under target/.
 */
public final class RuntimeProcess implements AutoCloseable {

    public static final Path JAR = RepoFiles.path("runtime/target/quarkus-app/quarkus-run.jar");

    private final Process process;
    private final Path log;

    private RuntimeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static RuntimeProcess start(Map<String, String> properties, Path log) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: build the runtime first (./mvnw -pl runtime package)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(JAR.toString());
        try {
            Files.createDirectories(log.getParent());
            return new RuntimeProcess(new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The runtime the operator's end-to-end tests drive: reading {@code mounted} (reloaded every 0.3 s), on the port
     * {@link RuntimePortResource} reserved, consuming raw publishes on {@code <prefix>/#} only; returns once it is
     * ready, or fails with its log.
     */
    public static RuntimeProcess startReady(MountedConf mounted, String prefix, Path log, Duration timeout) {
        RuntimeProcess runtime = start(Map.ofEntries(
                Map.entry("mqttbackends.conf-dir", mounted.confDirs()),
                Map.entry("quarkus.http.port", String.valueOf(RuntimePortResource.port())),
                Map.entry("mqttbackends.reload.interval", "PT0.3S"),
                Map.entry("mqttbackends.mqtt.client-id", prefix + "-runtime-" + UUID.randomUUID().toString()
                        .substring(0, 8)),
                Map.entry("mqttbackends.mqtt.session-expiry", "PT2M"),
                Map.entry("mqttbackends.ingest.emqx-rule.enabled", "false"),
                Map.entry("mqttbackends.ingest.emqx-sys.enabled", "false"),
                Map.entry("mqttbackends.ingest.raw.topics", prefix + "/#")), log);
        RuntimeEndpoint endpoint = new RuntimeEndpoint();
        Awaitility.await().atMost(timeout).untilAsserted(() -> {
            assertThat(runtime.isAlive()).as("runtime alive; log:%n%s", runtime.log()).isTrue();
            assertThat(endpoint.status("/q/health/ready")).isEqualTo(200);
        });
        return runtime;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** A port nothing listens on right now, for the runtime's HTTP server. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
