package io.mqttbackends.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.mqttbackends.operator.testing.RepoFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The images as a user builds them, with no container daemon: {@code deploy/images/build.sh} on the base it makes
 * here from Debian packages (debootstrap, cached as a local image after the first run), from the jars this build
 * packaged; then {@code deploy/images/smoke.sh} starts each service from its image's root filesystem, read-only and as
 * user 185: the runtime until readiness answers UP against the local Mosquitto and PostgreSQL and a published message
 * is stored, the operator until readiness answers UP against a Kubernetes API (the fabric8 test server). Needs root,
 * buildah and debootstrap (deploy/local/services.sh installs them); fails, saying so, without them.
 */
class ImagesBuildAndSmokeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** debootstrap downloads about 60 MB of packages the first time; later builds reuse the base. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);
    private static final Duration SMOKE_TIMEOUT = Duration.ofMinutes(4);
    private static final Path OUT = Path.of("target", "images-it").toAbsolutePath();

    private static String buildOutput;

    @BeforeAll
    static void buildBothImagesOnTheDebianBase() throws Exception {
        Files.createDirectories(OUT);
        buildOutput = run("build.log", BUILD_TIMEOUT, RepoFiles.path("deploy/images/build.sh").toString(),
                "--base-rootfs", "debootstrap", "--no-package", "--output", "oci-archive:" + OUT.resolve("archives"));
    }

    @Test
    void buildProducesTheImagesTheKustomizationNamesAsNonRootWithTheRuntimesJvmOptions() throws Exception {
        List<String> names = new ArrayList<>();
        RepoFiles.document(RepoFiles.path("deploy/kustomization.yaml")).get("images")
                .forEach(i -> names.add(i.path("name").asText() + ":" + i.path("newTag").asText()));
        assertThat(names).hasSize(2);
        for (String name : names) {
            assertThat(buildOutput).contains("built " + name);
            JsonNode config = imageConfig(name);
            assertThat(config.path("User").asText()).as("user of %s", name).isEqualTo("185");
            assertThat(config.at("/Labels/org.opencontainers.image.version").asText())
                    .isEqualTo(name.substring(name.lastIndexOf(':') + 1));
            assertThat(config.at("/Labels/org.opencontainers.image.base.name").asText())
                    .startsWith("localhost/mqttbackends/base-debian:");
            assertThat(config.path("ExposedPorts").has("8080/tcp")).isTrue();
            String service = name.substring(name.lastIndexOf('/') + 1, name.lastIndexOf(':'));
            Path archive = OUT.resolve("archives").resolve("mqttbackends-" + service + "-"
                    + name.substring(name.lastIndexOf(':') + 1) + ".tar");
            assertThat(Files.size(archive)).as("size of %s", archive).isGreaterThan(50L << 20);
        }
        JsonNode runtime = imageConfig(names.stream().filter(n -> n.contains("/runtime:")).findFirst()
                .orElseThrow());
        assertThat(runtime.get("Entrypoint")).extracting(JsonNode::asText)
                .containsExactly("java", "@/deployments/jvm.options", "-jar", "/deployments/quarkus-run.jar");
    }

    @Test
    void runtimeImageBecomesReadyAgainstMosquittoAndPostgresqlAndStoresAPublishedMessage() throws Exception {
        String database = "mqb_images_it_" + ProcessHandle.current().pid() + "_"
                + UUID.randomUUID().toString().substring(0, 8);
        try {
            String output = run("smoke-runtime.log", SMOKE_TIMEOUT, RepoFiles.path("deploy/images/smoke.sh")
                    .toString(), "runtime", "--database", database);
            assertThat(output).contains("/q/health/ready: {\"status\":\"UP\"", "runs as uid 185",
                    "PASS localhost/mqttbackends/runtime:");
            try (Connection c = postgres(database); Statement s = c.createStatement();
                    ResultSet rows = s.executeQuery("select topic, convert_from(payload, 'UTF8'), qos from mqtt_msg")) {
                assertThat(rows.next()).as("a row in %s.mqtt_msg", database).isTrue();
                assertThat(rows.getString(1)).startsWith("mqttbackends/smoke/");
                assertThat(rows.getString(2)).startsWith("smoke ");
                assertThat(rows.getInt(3)).isEqualTo(1);
                assertThat(rows.next()).as("only the one message published").isFalse();
            }
        } finally {
            dropDatabase(database);
        }
    }

    @Test
    void operatorImageBecomesReadyAgainstAKubernetesApiAndWatchesItsResources() throws Exception {
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        try {
            String output = run("smoke-operator.log", SMOKE_TIMEOUT, RepoFiles.path("deploy/images/smoke.sh")
                    .toString(), "operator", "--kube-api", api.url("/").replaceAll("/$", ""));
            assertThat(output).contains("/q/health/ready: {\"status\":\"UP\"", "runs as uid 185",
                    "PASS localhost/mqttbackends/operator:");
            List<String> paths = new ArrayList<>();
            for (RecordedRequest r; (r = api.takeRequest(0, TimeUnit.SECONDS)) != null; ) {
                paths.add(r.getPath());
            }
            assertThat(paths).anyMatch(p -> p.startsWith(
                    "/apis/mqttbackends.io/v1alpha1/namespaces/mqttbackends/backendpools"))
                    .anyMatch(p -> p.startsWith("/apis/mqttbackends.io/v1alpha1/namespaces/mqttbackends/backendhooks"));
        } finally {
            api.destroy();
        }
    }

    /** The OCI configuration of an image in buildah's storage: user, entrypoint, labels, ports. */
    private static JsonNode imageConfig(String image) throws IOException, InterruptedException {
        return JSON.readTree(run("inspect.log", Duration.ofSeconds(30), "buildah", "inspect", "--type", "image",
                image)).at("/OCIv1/config");
    }

    /** Runs a command from the repository root; its output (also printed, for the test report) if it exits 0. */
    private static String run(String logName, Duration timeout, String... command) throws IOException,
            InterruptedException {
        Path log = OUT.resolve(logName);
        Process process = new ProcessBuilder(command).directory(RepoFiles.ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean finished = process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            // SIGTERM: the scripts' traps stop the service and release the image mounts.
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println("$ " + String.join(" ", command) + "\n" + output);
        if (!finished) {
            fail("%s did not finish within %s; output:%n%s", String.join(" ", command), timeout, output);
        }
        assertThat(process.exitValue()).as("exit status of %s; output:%n%s", String.join(" ", command), output)
                .isZero();
        return output;
    }

    private static void dropDatabase(String database) throws SQLException {
        try (Connection c = postgres("postgres");
                Statement s = c.createStatement()) {
            s.execute("drop database if exists " + database + " with (force)");
        }
    }

    /**
     * A connection through the driver class itself: {@code DriverManager} refuses a driver that an earlier Quarkus
     * test of this JVM registered from its own class loader ("No suitable driver").
     */
    private static Connection postgres(String database) throws SQLException {
        Properties login = new Properties();
        login.setProperty("user", "postgres");
        login.setProperty("password", "");
        return new org.postgresql.Driver().connect("jdbc:postgresql://127.0.0.1:5432/" + database, login);
    }
}
