package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MongoDB's driver topology settings (docs/mongodb.md: {@code backend.mongo.topology.*}). EMQX reads them once for all
 * mongo
 * pools, so they are not a pool's own: the operator writes each setting once per namespace, from whichever pool
 * gives it, and refuses a pool that gives a setting another pool already gives differently. Unset fields take the
 * value another mongo pool of the namespace gives, else the runtime's default. The bounds are the runtime's (its
 * {@code DatabaseProfile}; {@code CrdReferenceTest} keeps them equal), so the API server refuses what it would.
 */
public class MongoTopology {

    @Min(1)
    @Max(256)
    @JsonPropertyDescription("Connections the driver keeps open per server (topology.pool_size). It may open up to "
            + "the larger of this + maxOverflow and spec.poolSize + 1.")
    private Integer poolSize;

    @Min(0)
    @Max(256)
    @JsonPropertyDescription("Connections the driver may open per server beyond topology poolSize under load "
            + "(topology.max_overflow).")
    private Integer maxOverflow;

    @Min(1)
    @Max(86400000)
    @JsonPropertyDescription("Milliseconds an idle connection is kept open (topology.overflow_ttl).")
    private Integer overflowTtl;

    @Min(1)
    @Max(86400000)
    @JsonPropertyDescription("Milliseconds between the driver's checks for idle connections to close "
            + "(topology.overflow_check_period).")
    private Integer overflowCheckPeriod;

    @Min(0)
    @Max(60000)
    @JsonPropertyDescription("Latency window in milliseconds for choosing among suitable servers "
            + "(topology.local_threshold_ms).")
    private Integer localThresholdMs;

    @Min(1)
    @Max(600000)
    @JsonPropertyDescription("Milliseconds a connection attempt may take (topology.connect_timeout_ms). Unset: the "
            + "smaller of callTimeout and 10000.")
    private Integer connectTimeoutMs;

    @Min(1)
    @Max(600000)
    @JsonPropertyDescription("Milliseconds a read may wait for the server (topology.socket_timeout_ms). Unset: "
            + "callTimeout.")
    private Integer socketTimeoutMs;

    @Min(1)
    @Max(600000)
    @JsonPropertyDescription("Milliseconds to find a suitable server before an operation fails "
            + "(topology.server_selection_timeout_ms). Unset: callTimeout.")
    private Integer serverSelectionTimeoutMs;

    @Min(1)
    @Max(600000)
    @JsonPropertyDescription("Milliseconds an operation waits for a free connection "
            + "(topology.wait_queue_timeout_ms). Unset: callTimeout.")
    private Integer waitQueueTimeoutMs;

    @Min(500)
    @Max(3600000)
    @JsonPropertyDescription("Milliseconds between checks of each server (topology.heartbeat_frequency_ms).")
    private Integer heartbeatFrequencyMs;

    @Min(10)
    @Max(60000)
    @JsonPropertyDescription("Least milliseconds between two checks of a server (topology.min_heartbeat_frequency_ms).")
    private Integer minHeartbeatFrequencyMs;

    /**
     * The settings that are set, by their conf key ({@code connect_timeout_ms}), in the order EMQX documents them.
     */
    @JsonIgnore
    public Map<String, Integer> confSettings() {
        Map<String, Integer> settings = new LinkedHashMap<>();
        putIfSet(settings, "pool_size", poolSize);
        putIfSet(settings, "max_overflow", maxOverflow);
        putIfSet(settings, "overflow_ttl", overflowTtl);
        putIfSet(settings, "overflow_check_period", overflowCheckPeriod);
        putIfSet(settings, "local_threshold_ms", localThresholdMs);
        putIfSet(settings, "connect_timeout_ms", connectTimeoutMs);
        putIfSet(settings, "socket_timeout_ms", socketTimeoutMs);
        putIfSet(settings, "server_selection_timeout_ms", serverSelectionTimeoutMs);
        putIfSet(settings, "wait_queue_timeout_ms", waitQueueTimeoutMs);
        putIfSet(settings, "heartbeat_frequency_ms", heartbeatFrequencyMs);
        putIfSet(settings, "min_heartbeat_frequency_ms", minHeartbeatFrequencyMs);
        return settings;
    }

    private static void putIfSet(Map<String, Integer> settings, String key, Integer value) {
        if (value != null) {
            settings.put(key, value);
        }
    }

    public Integer getPoolSize() {
        return poolSize;
    }

    public void setPoolSize(Integer poolSize) {
        this.poolSize = poolSize;
    }

    public Integer getMaxOverflow() {
        return maxOverflow;
    }

    public void setMaxOverflow(Integer maxOverflow) {
        this.maxOverflow = maxOverflow;
    }

    public Integer getOverflowTtl() {
        return overflowTtl;
    }

    public void setOverflowTtl(Integer overflowTtl) {
        this.overflowTtl = overflowTtl;
    }

    public Integer getOverflowCheckPeriod() {
        return overflowCheckPeriod;
    }

    public void setOverflowCheckPeriod(Integer overflowCheckPeriod) {
        this.overflowCheckPeriod = overflowCheckPeriod;
    }

    public Integer getLocalThresholdMs() {
        return localThresholdMs;
    }

    public void setLocalThresholdMs(Integer localThresholdMs) {
        this.localThresholdMs = localThresholdMs;
    }

    public Integer getConnectTimeoutMs() {
        return connectTimeoutMs;
    }

    public void setConnectTimeoutMs(Integer connectTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
    }

    public Integer getSocketTimeoutMs() {
        return socketTimeoutMs;
    }

    public void setSocketTimeoutMs(Integer socketTimeoutMs) {
        this.socketTimeoutMs = socketTimeoutMs;
    }

    public Integer getServerSelectionTimeoutMs() {
        return serverSelectionTimeoutMs;
    }

    public void setServerSelectionTimeoutMs(Integer serverSelectionTimeoutMs) {
        this.serverSelectionTimeoutMs = serverSelectionTimeoutMs;
    }

    public Integer getWaitQueueTimeoutMs() {
        return waitQueueTimeoutMs;
    }

    public void setWaitQueueTimeoutMs(Integer waitQueueTimeoutMs) {
        this.waitQueueTimeoutMs = waitQueueTimeoutMs;
    }

    public Integer getHeartbeatFrequencyMs() {
        return heartbeatFrequencyMs;
    }

    public void setHeartbeatFrequencyMs(Integer heartbeatFrequencyMs) {
        this.heartbeatFrequencyMs = heartbeatFrequencyMs;
    }

    public Integer getMinHeartbeatFrequencyMs() {
        return minHeartbeatFrequencyMs;
    }

    public void setMinHeartbeatFrequencyMs(Integer minHeartbeatFrequencyMs) {
        this.minHeartbeatFrequencyMs = minHeartbeatFrequencyMs;
    }
}
