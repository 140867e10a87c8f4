package io.mqttbackends.bench.fault;

import io.mqttbackends.bench.BenchPayload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What {@code src/fault/run.sh} asks for. Times are whole seconds.
 *
 * @param rate total publish rate of the steady load, msgs/s, over all publishers
 * @param caseSeconds how long the steady load of one case lasts (the fault happens inside it)
 * @param faultAfterSeconds seconds of steady load before the fault
 * @param outageSeconds how long the database stays stopped or locked, and the broker down
 * @param drainSeconds after the load, how long to wait at most for the rows to catch up
 * @param budgetSeconds the whole run's bound: a case that could not finish within it is skipped, and said so
 * @param brokerKillRuns how many times the broker-kill case runs (its failure was intermittent)
 * @param largeCount large payloads published in the large-burst case
 * @param largeBytes size of each
 * @param work where the servers keep their data and logs
 * @param pgBin PostgreSQL's server binaries ({@code initdb}, {@code pg_ctl})
 * @param runtimeJvmArgs JVM arguments of the runtime (e.g. {@code @runtime/jvm.options}), before its settings
 */
public record FaultOptions(
        List<FaultCase> cases,
        double rate,
        int publishers,
        int payloadBytes,
        int caseSeconds,
        int faultAfterSeconds,
        int outageSeconds,
        int drainSeconds,
        int budgetSeconds,
        int brokerKillRuns,
        int largeCount,
        int largeBytes,
        Path work,
        Path runtimeJar,
        Path pgBin,
        List<String> runtimeJvmArgs,
        Optional<Path> json,
        String commandLine,
        String gitCommit) {

    /** Every case, in the order they run: the large burst last, since it may leave the runtime unable to recover. */
    public static final List<FaultCase> ALL = List.of(FaultCase.values());

    public static FaultOptions parse(String... args) {
        List<FaultCase> cases = ALL;
        double rate = 2000;
        int publishers = 2;
        int payload = 256;
        int caseSeconds = 40;
        int faultAfter = 10;
        int outage = 5;
        int drain = 60;
        int budget = 1800;
        int brokerKillRuns = 3;
        int largeCount = 5;
        int largeBytes = 10 * 1024 * 1024;
        Path work = null;
        Path runtimeJar = null;
        Path pgBin = Path.of("/usr/lib/postgresql/15/bin");
        List<String> jvmArgs = new ArrayList<>();
        Path json = null;
        String commandLine = "";
        String gitCommit = "";
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--cases" -> cases = value.equals("all") ? ALL
                        : Arrays.stream(value.split(",")).map(String::trim).map(FaultCase::of).distinct().toList();
                case "--rate" -> rate = positive(option, value);
                case "--publishers" -> publishers = (int) positive(option, value);
                case "--payload" -> payload = (int) positive(option, value);
                case "--case-seconds" -> caseSeconds = (int) positive(option, value);
                case "--fault-after" -> faultAfter = (int) positive(option, value);
                case "--outage" -> outage = (int) positive(option, value);
                case "--drain-timeout" -> drain = (int) positive(option, value);
                case "--budget" -> budget = (int) positive(option, value);
                case "--broker-kill-runs" -> brokerKillRuns = (int) positive(option, value);
                case "--large-count" -> largeCount = (int) positive(option, value);
                case "--large-bytes" -> largeBytes = (int) positive(option, value);
                case "--work" -> work = Path.of(value);
                case "--runtime-jar" -> runtimeJar = Path.of(value);
                case "--pg-bin" -> pgBin = Path.of(value);
                case "--runtime-jvm-arg" -> jvmArgs.add(value);
                case "--json" -> json = Path.of(value);
                case "--command-line" -> commandLine = value;
                case "--git-commit" -> gitCommit = value;
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (work == null || runtimeJar == null) {
            throw new IllegalArgumentException("--work and --runtime-jar are required (src/fault/run.sh passes them)");
        }
        if (faultAfter + outage >= caseSeconds) {
            throw new IllegalArgumentException("--fault-after " + faultAfter + " + --outage " + outage
                    + " must be shorter than --case-seconds " + caseSeconds
                    + " (the load must go on after the fault is lifted)");
        }
        if (payload < BenchPayload.HEADER_BYTES) {
            throw new IllegalArgumentException("--payload " + payload + ": at least "
                    + BenchPayload.HEADER_BYTES + " bytes (publish time and sequence)");
        }
        return new FaultOptions(cases, rate, publishers, payload, caseSeconds, faultAfter, outage, drain, budget,
                brokerKillRuns, largeCount, largeBytes, work, runtimeJar, pgBin, List.copyOf(jvmArgs),
                Optional.ofNullable(json), commandLine, gitCommit);
    }

    /** The longest one case may take: load, drain, a runtime restart and the final acknowledgements. */
    public int caseBoundSeconds() {
        return caseSeconds + drainSeconds + RuntimeProcess.READY_TIMEOUT_SECONDS + SteadyLoad.ACK_WAIT_SECONDS;
    }

    private static double positive(String option, String value) {
        double n;
        try {
            n = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + value + ": not a number");
        }
        if (!(n > 0)) {
            throw new IllegalArgumentException(option + " " + value + ": must be positive");
        }
        return n;
    }
}
