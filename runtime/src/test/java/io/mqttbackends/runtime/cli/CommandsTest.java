package io.mqttbackends.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.testing.EmqxDefaultConf;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands in-process, for what the process test ({@code CommandsIT}) does not cover: the pools' own checks. */
class CommandsTest {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Commands.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(status, out.toString(), err.toString());
    }

    private Path conf(String... lines) throws IOException {
        return Files.writeString(dir.resolve("emqx_backend_redis.conf"), String.join("\n", lines) + "\n");
    }

    @Test
    void checkRunsTheRedisPoolsOwnChecksTheClusterDatabaseAndEveryCommandTemplate() throws IOException {
        Path file = conf(
                "backend.redis.pool1.type = cluster",
                "backend.redis.pool1.server = 127.0.0.1:7000,127.0.0.1:7001",
                "backend.redis.pool1.database = 2",
                "backend.redis.hook.message.publish.1 = {\"topic\": \"#\", \"action\": {\"commands\": "
                        + "[\"HSET k:${clientid} a${topic}b x\"]}, \"pool\": \"pool1\"}");

        Run run = run("check", dir.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo(String.join("\n",
                file + ":3: backend.redis.pool1.database: a Redis cluster has only database 0, not 2",
                file + ":4: backend.redis.hook.message.publish.1: 'a${topic}b' in 'HSET k:${clientid} a${topic}b x': "
                        + "after the key a placeholder must be a whole argument (EMQX would send this token literally)",
                "2 errors: the service would not start on " + dir, ""));
        assertThat(run.out()).isEmpty();
    }

    @Test
    void checkReadsTheTlsFilesAsAPoolWouldAndRefusesAMissingCaFile() throws IOException {
        Path file = Files.writeString(dir.resolve("pg.conf"), String.join("\n",
                "backend.pgsql.pool1.server = 127.0.0.1:5432",
                "backend.pgsql.pool1.ssl = true",
                "backend.pgsql.pool1.cacertfile = " + dir.resolve("no-such-ca.pem"),
                "backend.pgsql.hook.message.publish.1 = {\"topic\": \"#\", \"action\": {\"function\": "
                        + "\"on_message_publish\"}, \"pool\": \"pool1\"}", ""));

        Run run = run("check", dir.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith(file + ":3: backend.pgsql.pool1.cacertfile: ");
    }

    @Test
    void checkOfOnSubscribeLookupFollowsTheBrokerControlOption() throws Exception {
        Path defaults = EmqxDefaultConf.path(DatabaseKind.REDIS).getParent();

        Run mqtt = run("check", "--broker-control", "mqtt", defaults.toString());
        Run emqx = run("check", "--broker-control", "emqx", defaults.toString());

        assertThat(mqtt.status()).isEqualTo(1);
        assertThat(mqtt.err()).contains("function 'on_subscribe_lookup' subscribes the connecting client, but broker "
                + "control 'mqtt' cannot subscribe a client from outside");
        assertThat(emqx.status()).as(emqx.err()).isZero();
        assertThat(emqx.out()).isEqualTo("OK: 5 pools (cassa.pool1, mongo.pool1, mysql.pool1, pgsql.pool1, "
                + "redis.pool1), 52 hooks from 5 files\n");
    }

    @Test
    void withoutACommandTheUsageIsAUsageError() {
        Run run = run("frobnicate");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("Unmatched argument at index 0: 'frobnicate'", "check", "convert");
    }
}
