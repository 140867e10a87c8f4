package io.mqttbackends.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.testing.EmqxDefaultConf;
import io.mqttbackends.runtime.testing.RuntimeProcess;
import io.mqttbackends.runtime.testing.TestMqtt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's commands as a user runs them, {@code java -jar quarkus-run.jar check|convert ...}: what they
 * print on stdout and stderr and their exit status; and the service started on a bad conf directory, which prints
 * the same short lines and exits non-zero.
 */
class CommandsIT {
    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final String PASSWORD = "pw-that-must-not-show";

    @TempDir
    Path work;

    private record Run(int status, String out, String err) {
    }

    private Run jar(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", RuntimeProcess.jar().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        if (!process.waitFor(WITHIN.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " still runs after " + WITHIN);
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Path defaults() {
        return EmqxDefaultConf.path(DatabaseKind.REDIS).getParent();
    }

    /** Two errors: an unknown key in a pool that also holds a password, and a hook naming a function of no database. */
    private Path twoErrors() throws IOException {
        Path dir = Files.createDirectories(work.resolve("bad"));
        Files.writeString(dir.resolve("emqx_backend_mysql.conf"), String.join("\n",
                "backend.mysql.pool1.server = 127.0.0.1:3306",
                "backend.mysql.pool1.password = " + PASSWORD,
                "backend.mysql.pool1.pool_sise = 8",
                "backend.mysql.hook.message.publish.1 = {\"topic\": \"#\", \"action\": {\"function\": "
                        + "\"on_message_publsh\"}, \"pool\": \"pool1\"}", ""));
        return dir;
    }

    @Test
    void checkOfEmqxsDefaultConfsPrintsOneOkLineAndExitsZero() throws Exception {
        Run run = jar("check", "--broker-control", "emqx", defaults().toString());

        assertThat(run.status()).as("exit status; stderr: %s", run.err()).isZero();
        assertThat(run.out()).isEqualTo("OK: 5 pools (cassa.pool1, mongo.pool1, mysql.pool1, pgsql.pool1, "
                + "redis.pool1), 52 hooks from 5 files\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void checkOfADirectoryWithTwoErrorsPrintsBothAsFileLineKeyMessageAndExitsOne() throws Exception {
        Path dir = twoErrors();
        Path file = dir.resolve("emqx_backend_mysql.conf");

        Run run = jar("check", dir.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).containsExactly(
                file + ":3: backend.mysql.pool1.pool_sise: unknown key 'pool_sise' for mysql pools (did you mean "
                        + "'pool_size'?)",
                file + ":4: backend.mysql.hook.message.publish.1: function 'on_message_publsh' does not exist for "
                        + "mysql (did you mean 'on_message_publish'?)",
                "2 errors: the service would not start on " + dir);
        assertThat(run.err()).doesNotContain("\tat ").doesNotContain(PASSWORD);
    }

    @Test
    void convertWritesYamlOnStdoutAndItsSummaryOnStderr() throws Exception {
        Run run = jar("convert", "--namespace", "iot", defaults().toString());

        assertThat(run.status()).as("exit status; stderr: %s", run.err()).isZero();
        assertThat(run.out()).startsWith("---\napiVersion: mqttbackends.io/v1alpha1\nkind: BackendPool\n")
                .contains("  name: mysql-pool1\n  namespace: iot\n", "kind: Secret\n",
                        "mysql-pool1-password: REPLACE-WITH-THE-PASSWORD\n")
                .doesNotContain("public");
        assertThat(run.err()).startsWith("converted 5 BackendPools and 52 BackendHooks\n"
                + "Secret mqttbackends-credentials: write the real values over the placeholders of:\n"
                + "  cassandra-pool1-username (from ");
    }

    @Test
    void convertToAFileAndConvertOfBadConfs() throws Exception {
        Path yaml = work.resolve("backends.yaml");

        Run good = jar("convert", "-o", yaml.toString(), defaults().toString());
        Run bad = jar("convert", "-o", work.resolve("never.yaml").toString(), twoErrors().toString());

        assertThat(good.status()).isZero();
        assertThat(good.out()).isEmpty();
        assertThat(Files.readString(yaml)).contains("kind: BackendHook\n", "  poolRef: redis-pool1\n");
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.err()).contains(":3: backend.mysql.pool1.pool_sise: unknown key", "2 errors: nothing converted")
                .doesNotContain(PASSWORD);
        assertThat(work.resolve("never.yaml")).doesNotExist();
    }

    @Test
    void helpPrintsTheCommandsAndExitsZero() throws Exception {
        Run run = jar("--help");

        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("check", "convert", "Exit status: 0 success, 1 the conf files have errors");
    }

    /** The service on {@code confDir}, on the local broker with a session of its own that expires soon. */
    private static Map<String, String> serviceSettings(Path confDir) {
        String session = "commands-it-" + System.nanoTime();
        return RuntimeProcess.rawOnlySettings(confDir, TestMqtt.HOST, TestMqtt.PORT, session, session,
                Duration.ofSeconds(10));
    }

    @Test
    void theServiceStartedWithASettingItRefusesPrintsOneLineWithoutAStackTrace() {
        Map<String, String> properties = new HashMap<>(serviceSettings(defaults()));
        properties.put("mqttbackends.broker-control.type", "emqx");
        properties.put("mqttbackends.broker-control.emqx.url", "http://127.0.0.1:1");
        try (RuntimeProcess runtime = RuntimeProcess.start(properties, work.resolve("settings.log"))) {
            Optional<Integer> exit = runtime.awaitExit(WITHIN);

            assertThat(exit).as("exit; the log ends with:%n%s", runtime.logTail(20)).isPresent();
            assertThat(exit.get()).as("exit status").isNotZero();
            assertThat(runtime.log()).contains("mqtt-backends did not start: mqttbackends.broker-control.type=emqx "
                    + "needs mqttbackends.broker-control.emqx.api-key").doesNotContain("\tat ");
        }
    }

    @Test
    void theServiceStartedOnABadConfDirectoryPrintsTheSameLinesWithoutAStackTraceAndExitsNonZero() throws Exception {
        Path dir = twoErrors();
        Path file = dir.resolve("emqx_backend_mysql.conf");
        try (RuntimeProcess runtime = RuntimeProcess.start(serviceSettings(dir), work.resolve("runtime.log"))) {
            Optional<Integer> exit = runtime.awaitExit(WITHIN);

            assertThat(exit).as("exit; the log ends with:%n%s", runtime.logTail(20)).isPresent();
            assertThat(exit.get()).as("exit status").isNotZero();
            String log = runtime.log();
            assertThat(log).contains("mqtt-backends did not start: the conf directories hold 2 errors:\n"
                    + file + ":3: backend.mysql.pool1.pool_sise: unknown key 'pool_sise' for mysql pools (did you "
                    + "mean 'pool_size'?)\n"
                    + file + ":4: backend.mysql.hook.message.publish.1: function 'on_message_publsh' does not exist "
                    + "for mysql (did you mean 'on_message_publish'?)\n");
            assertThat(log).doesNotContain("\tat ").doesNotContain(PASSWORD).doesNotContain("Failed to start");
        }
    }
}
