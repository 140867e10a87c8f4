package io.mqttbackends.bench.fault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.mqttbackends.bench.BenchMain;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The fault-injection command's smoke run, part of the test command: {@code src/fault/run.sh} with the jars this
 * build packaged, a short load at a low rate, for the runtime killed with SIGKILL and stopped with SIGTERM, the
 * database restarted, the broker restarted with persistence, and the broker killed and restored with a stale
 * session of the runtime (issue 15's broker case). Real processes throughout: the runtime jar, a private PostgreSQL cluster, a
 * private Mosquitto. Asserts on the JSON: at-least-once held (nothing acknowledged was lost), every field there,
 * the faults visibly happened (a restart, the broker's reconnect), and everything it started is gone afterwards.
 */
class FaultCommandIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final PropertyNamingStrategies.SnakeCaseStrategy SNAKE =
            new PropertyNamingStrategies.SnakeCaseStrategy();
    private static final int RATE = 200;
    private static final int CASE_SECONDS = 12;

    @Test
    void runtimeKillAndStopDatabaseRestartAndBrokerRestartLoseNothingAndAStaleBrokerSessionIsSubscribedAgain() throws Exception {
        Path json = Files.createTempDirectory("fault-smoke").resolve("fault.jsonl");
        Path output = Path.of("target", "fault-smoke.out").toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(ROOT.resolve("src/fault/run.sh").toString(),
                "--cases", "runtime-kill,runtime-term,db-restart,broker-restart,broker-kill-stale", "--rate", Integer.toString(RATE),
                "--case-seconds", Integer.toString(CASE_SECONDS), "--fault-after", "4", "--outage", "2",
                "--drain-timeout", "30", "--json", json.toString())
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("MQTTBACKENDS_BENCH_BUILD", "never");
        long start = System.nanoTime();
        Process run = builder.start();
        boolean finished = run.waitFor(300, TimeUnit.SECONDS);
        if (!finished) {
            run.destroy();
            run.waitFor(30, TimeUnit.SECONDS);
        }
        String printed = Files.readString(output);
        assertThat(finished).as("run.sh finished within 300 s; output:%n%s", printed).isTrue();
        assertThat(run.exitValue()).as("exit status; output:%n%s", printed).isZero();
        System.out.printf("fault smoke run: %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));

        List<JsonNode> cases = new ArrayList<>();
        for (String line : Files.readAllLines(json)) {
            cases.add(BenchMain.json().readTree(line));
        }
        assertThat(cases).extracting(c -> c.path("case").asText())
                .containsExactly("runtime-kill", "runtime-term", "db-restart", "broker-restart", "broker-kill-stale");
        assertThat(printed).contains("\"case\":\"runtime-kill\"", "\"case\":\"broker-restart\"");
        for (JsonNode c : cases.subList(0, 4)) {
            String name = c.path("case").asText();
            assertEveryField(c, name);
            long sent = c.path("sent").asLong();
            // the load ran the whole case at about its rate (minus what the broker's outage cost)
            assertThat(sent).as(name + " sent").isGreaterThan(RATE * CASE_SECONDS / 2);
            assertThat(c.path("lost").asLong()).as(name + " lost; %s", c).isZero();
            assertThat(c.path("stored").asLong()).as(name + " stored").isGreaterThanOrEqualTo(sent);
            assertThat(c.path("rows").asLong()).as(name + " rows")
                    .isEqualTo(c.path("stored").asLong() + c.path("duplicated").asLong());
            assertThat(c.path("ok").asBoolean()).as(name + " ok").isTrue();
            assertThat(c.path("expect_no_loss").asBoolean()).isTrue();
            assertThat(c.path("first_row_after_fault_s").asDouble()).as(name + " recovered").isPositive();
            assertThat(c.path("backlog_drained_s").isNumber()).as(name + " drained").isTrue();
            assertThat(c.path("peak_rss_mb").asLong()).as(name + " RSS").isPositive();
            assertThat(c.path("runtime_ready_at_end").asBoolean()).as(name + " ready at the end").isTrue();
            assertThat(c.path("skipped").isNull()).isTrue();
        }
        JsonNode kill = cases.get(0);
        assertThat(kill.path("runtime_restarts").asInt()).isEqualTo(1);
        assertThat(kill.path("runtime_ready_s").asDouble()).isPositive();
        JsonNode term = cases.get(1);
        assertThat(term.path("runtime_restarts").asInt()).isEqualTo(1);
        // a graceful stop disconnects before it lets go of the publish flow, so the MQTT client acks nothing itself
        assertThat(term.path("runtime_log").toString()).as("runtime log of the SIGTERM case")
                .doesNotContain("No publish flow registered");
        JsonNode db = cases.get(2);
        assertThat(db.path("outage_s").asDouble()).isGreaterThanOrEqualTo(2);
        assertThat(db.path("runtime_restarts").asInt()).isZero();
        JsonNode broker = cases.get(3);
        assertThat(broker.path("broker").path("sent_after_reconnect").asLong()).isPositive();
        assertThat(broker.path("broker").path("lost_after_reconnect").asLong()).isZero();
        assertThat(broker.path("broker").path("broker_log").toString())
                .contains("Saving in-memory database", FaultMain.RUNTIME_CLIENT_ID);
        assertThat(broker.path("runtime_log").toString()).contains("MQTT session " + FaultMain.RUNTIME_CLIENT_ID);
        // issue 15's broker case: restored with the runtime's session but not its subscriptions, the broker answers
        // Session Present; the runtime subscribes on every connection, so what is published after it is stored
        JsonNode stale = cases.get(4);
        assertEveryField(stale, "broker-kill-stale");
        assertThat(stale.path("ok").asBoolean()).as("broker-kill-stale ok; %s", stale).isTrue();
        assertThat(stale.path("broker").path("sent_after_reconnect").asLong()).isPositive();
        assertThat(stale.path("broker").path("lost_after_reconnect").asLong()).as("lost after the reconnect; %s", stale)
                .isZero();
        assertThat(stale.path("runtime_ready_at_end").asBoolean()).isTrue();

        // nothing left behind: the private servers' ports are closed and the work directory is gone
        Matcher ports = Pattern.compile("PostgreSQL on port (\\d+), Mosquitto on port (\\d+); work directory (\\S+)")
                .matcher(printed);
        assertThat(ports.find()).as("ports printed:%n%s", printed).isTrue();
        assertThat(Processes.open(Integer.parseInt(ports.group(1)))).as("PostgreSQL stopped").isFalse();
        assertThat(Processes.open(Integer.parseInt(ports.group(2)))).as("Mosquitto stopped").isFalse();
        assertThat(Path.of(ports.group(3))).doesNotExist();
    }

    /** Every component of {@link CaseResult} is a key of the object (null only where the case has none). */
    private static void assertEveryField(JsonNode node, String name) {
        for (RecordComponent c : CaseResult.class.getRecordComponents()) {
            JsonProperty explicit = c.getAccessor().getAnnotation(JsonProperty.class);
            String key = explicit != null ? explicit.value() : SNAKE.translate(c.getName());
            assertThat(node.has(key)).as(name + ": " + key).isTrue();
        }
    }
}
