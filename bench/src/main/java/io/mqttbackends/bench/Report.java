package io.mqttbackends.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.mqttbackends.bench.store.Store;
import java.util.List;
import java.util.Map;

/**
 * Everything one invocation measured, as printed and as written to {@code --json} (snake_case keys). Rates are
 * msgs/s (rows/s for the database ceiling), latencies milliseconds, memory MB.
 */
public record Report(String commandLine, String gitCommit, String startedAt, Machine machine, Settings settings,
        List<Run> runs, Medians medians, Rss runtimeRss, Targets targets, String verdict) {

    /** The machine, and how busy it was before and after (the two cores are shared). */
    public record Machine(int nproc, long memTotalMb, String cpuModel, String loadavgStart, String loadavgEnd) {
    }

    /** What was run and against what; broker and runtime settings as used. */
    public record Settings(String db, long messages, int publishers, int payloadBytes, double rate, boolean halfRate,
            int repeat, long warmup, long maxBacklog, int publisherWindow, int dbCeilingBatchRows, int dbCeilingConnections,
            String latencyDefinition, String brokerConf, String runtimeArgs, Map<String, String> runtimeConf) {
    }

    /**
     * One end-to-end pass: M publishers → broker → runtime → database.
     *
     * @param targetRate the publish rate asked for (0 = as fast as possible)
     * @param msgsPerSecond N over the time from the first publish to the N-th row stored
     * @param runtimeRssPeakMb the runtime's largest VmRSS sampled since the benchmark started
     * @param rowsVerified rows with distinct msgids, counting only as many as distinct messages were found (N when
     *     every message is there once)
     * @param verified rows, distinct msgids and distinct messages all equal N
     */
    public record EndToEnd(double targetRate, long published, long publishFailures, double msgsPerSecond,
            LatencyStats.Summary latency, long rowsVerified, long rows, long distinctMsgids, long distinctMessages,
            boolean verified, Long runtimeRssPeakMb) {
    }

    /** @param ratioToLowerCeiling end-to-end msgs/s over the lower of the two ceilings */
    public record Run(int run, BrokerCeiling.Result brokerCeiling, Store.Ceiling dbCeiling, EndToEnd endToEnd,
            EndToEnd halfRate, double ratioToLowerCeiling) {
    }

    /** Medians over the runs ({@code --repeat}). */
    public record Medians(Double brokerCeilingMsgsPerSecond, Double dbCeilingRowsPerSecond,
            Double endToEndMsgsPerSecond, Double endToEndP50Ms, Double endToEndP99Ms, Double ratioToLowerCeiling,
            Double halfRateMsgsPerSecond, Double halfRateP50Ms, Double halfRateP99Ms) {
    }

    /** @param vmHwmMb the kernel's high-water mark at the end; @param sampledPeakMb max of VmRSS sampled every 100 ms */
    public record Rss(Long vmHwmMb, Long sampledPeakMb) {
    }

    /**
     * The targets (2 cores, PostgreSQL, 256 B, QoS 1), evaluated on the medians; null when not measured
     * in this invocation.
     */
    public record Targets(
            @JsonProperty("at_least_20000_msgs_per_second") Boolean atLeast20000MsgsPerSecond,
            @JsonProperty("at_least_60_percent_of_lower_ceiling") Boolean atLeast60PercentOfLowerCeiling,
            @JsonProperty("p99_under_50_ms_at_half_rate") Boolean p99Under50MsAtHalfRate,
            @JsonProperty("rss_under_300_mb") Boolean rssUnder300Mb,
            boolean allRowsVerified) {
    }
}
