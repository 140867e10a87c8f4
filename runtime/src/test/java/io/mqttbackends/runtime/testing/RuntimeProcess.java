package io.mqttbackends.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The packaged runtime ({@code runtime/target/quarkus-app/quarkus-run.jar}) as a child process, configured with
 * system properties, its output in a log file. The jar exists after the {@code package} phase only, so only
 * integration tests ({@code *IT}, run by failsafe after {@code package}) may use this; to run one under surefire,
 * build the jar first: {@code ./mvnw -o -q -pl runtime -am package -DskipTests}.
 */
public final class RuntimeProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path log;
    private final int httpPort;

    private RuntimeProcess(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** The packaged runtime; fails, saying how to build it, when it is missing. */
    public static Path jar() {
        for (Path candidate : List.of(Path.of("target/quarkus-app/quarkus-run.jar"),
                Path.of("runtime/target/quarkus-app/quarkus-run.jar"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException("runtime/target/quarkus-app/quarkus-run.jar is missing: this test needs the "
                + "package phase (./mvnw -o -q -pl runtime -am package -DskipTests)");
    }

    /**
     * Starts {@code java -jar quarkus-run.jar} with {@code properties} as {@code -D} options; its HTTP port is
     * {@code quarkus.http.port} of the properties (give a free one).
     */
    /**
     * The settings of a runtime that reads {@code conf}, answers on a free loopback port and takes only raw publishes
     * of {@code prefix/#} from the broker at {@code brokerHost:brokerPort}, under a session of its own
     * ({@code clientId}, expiring after {@code sessionExpiry}), so that it never sees another test's traffic.
     */
    public static Map<String, String> rawOnlySettings(Path conf, String brokerHost, int brokerPort, String clientId,
            String prefix, Duration sessionExpiry) {
        return Map.of(
                "mqttbackends.conf-dir", conf.toString(),
                "quarkus.http.host", "127.0.0.1",
                "quarkus.http.port", String.valueOf(FreePort.find()),
                "mqttbackends.mqtt.host", brokerHost,
                "mqttbackends.mqtt.port", String.valueOf(brokerPort),
                "mqttbackends.mqtt.client-id", clientId,
                "mqttbackends.mqtt.session-expiry", sessionExpiry.toString(),
                "mqttbackends.ingest.emqx-rule.enabled", "false",
                "mqttbackends.ingest.emqx-sys.enabled", "false",
                "mqttbackends.ingest.raw.topics", prefix + "/#");
    }

    public static RuntimeProcess start(Map<String, String> properties, Path log) {
        return start(List.of("-Xmx256m", "-XX:+UseSerialGC"), properties, log);
    }

    /**
     * As {@link #start(Map, Path)}, with the JVM options the runtime ships with ({@code runtime/jvm.options}: its
     * 128 MB heap, exit on OutOfMemoryError), as {@code deploy/local/run.sh} and the container start it.
     */
    public static RuntimeProcess startAsShipped(Map<String, String> properties, Path log) {
        return start(List.of("@" + shippedJvmOptions()), properties, log);
    }

    /** {@code runtime/jvm.options}, from the module or the repository root. */
    public static Path shippedJvmOptions() {
        for (Path candidate : List.of(Path.of("jvm.options"), Path.of("runtime/jvm.options"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException("runtime/jvm.options not found from " + Path.of("").toAbsolutePath());
    }

    private static RuntimeProcess start(List<String> jvmOptions, Map<String, String> properties, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar().toString());
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new RuntimeProcess(process, log, Integer.parseInt(properties.getOrDefault("quarkus.http.port", "0")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM, as Kubernetes does to stop a pod, and returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** The exit code once the process ended within {@code timeout}; empty if it still runs. */
    public Optional<Integer> awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    ? Optional.of(process.exitValue()) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Everything the process logged so far (all its runs, when several wrote to the same file). */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The last {@code lines} lines of {@link #log()}, for failure messages. */
    public String logTail(int lines) {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** The HTTP status of {@code GET path} on the runtime, or -1 when it does not answer. */
    public int httpStatus(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The body of {@code GET path} on the runtime (e.g. {@code /q/metrics}), empty when it does not answer. */
    public String httpBody(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Stops the process: SIGTERM, then SIGKILL if it is still there 20 s later. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (awaitExit(Duration.ofSeconds(20)).isEmpty()) {
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
        }
    }
}
