package io.mqttbackends.runtime.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A Prometheus server of the test's own (Debian's {@code prometheus} package, which {@code deploy/local/services.sh}
 * installs; the test fails, saying so, without it): its configuration, data and log in the given directory, a free
 * loopback port, scraping one target every second and evaluating the given rule file every second.
 */
public final class PrivatePrometheus implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_WITHIN = Duration.ofSeconds(30);

    private final Process process;
    private final int port;
    private final Path log;

    private PrivatePrometheus(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts it scraping {@code http://target/metricsPath} as job {@code job}, with {@code rules} as its only rule
     * file, and waits until it is ready.
     */
    public static PrivatePrometheus start(Path dir, String job, String target, String metricsPath, Path rules) {
        int port = FreePort.find();
        Path log = dir.resolve("prometheus.log");
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, String.join("\n",
                    "global:",
                    "  scrape_interval: 1s",
                    "  evaluation_interval: 1s",
                    "rule_files:",
                    "  - " + rules.toAbsolutePath(),
                    "scrape_configs:",
                    "  - job_name: " + job,
                    "    metrics_path: " + metricsPath,
                    "    static_configs:",
                    "      - targets: ['" + target + "']",
                    ""));
            Process process;
            try {
                process = new ProcessBuilder(executable(), "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run prometheus (apt-get install -y prometheus; "
                        + "deploy/local/services.sh installs it): " + e.getMessage(), e);
            }
            PrivatePrometheus prometheus = new PrivatePrometheus(process, port, log);
            prometheus.awaitReady();
            return prometheus;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String executable() {
        for (String dir : List.of("/usr/bin/", "/usr/local/bin/")) {
            if (Files.isExecutable(Path.of(dir + "prometheus"))) {
                return dir + "prometheus";
            }
        }
        return "prometheus";
    }

    private void awaitReady() {
        boolean ready;
        try {
            await().atMost(START_WITHIN).pollInterval(Duration.ofMillis(100))
                    .until(() -> !process.isAlive() || status("/-/ready") == 200);
            ready = process.isAlive();
        } catch (ConditionTimeoutException e) {
            ready = false;
        }
        if (!ready) {
            close();
            throw new IllegalStateException("prometheus did not become ready on port " + port + ": " + log());
        }
    }

    /**
     * The result of an instant query ({@code /api/v1/query}): its {@code data.result} array. Fails with Prometheus's
     * error when the query is refused (a syntax error, an unknown function).
     */
    public JsonNode query(String promql) {
        JsonNode response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (!"success".equals(response.path("status").asText())) {
            throw new IllegalArgumentException("prometheus refused " + promql + ": " + response);
        }
        return response.at("/data/result");
    }

    /** The rule groups Prometheus loaded ({@code /api/v1/rules}): its {@code data.groups} array. */
    public JsonNode ruleGroups() {
        return get("/api/v1/rules").at("/data/groups");
    }

    private JsonNode get(String pathAndQuery) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Everything it logged. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
