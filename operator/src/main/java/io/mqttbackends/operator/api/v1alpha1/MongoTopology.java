package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MongoDB's driver topology settings (spec §5.1: {@code backend.mongo.topology.*}). EMQX reads them once for all mongo
 * pools, so they are not a pool's own: the operator writes each setting once per namespace, from whichever pool
 * gives it, and refuses a pool that gives a setting another pool already gives differently. Unset fields take the
 * value another mongo pool of the namespace gives, else the runtime's default.
 */
public class MongoTopology {

    @Min(0)
    @JsonPropertyDescription("Connections the driver keeps per server (topology.pool_size).")
    private Integer poolSize;

    @Min(0)
    @JsonPropertyDescription("Connections the driver may open beyond poolSize under load (topology.max_overflow).")
    private Integer maxOverflow;

    @Min(0)
    @JsonPropertyDescription("Milliseconds an idle overflow connection is kept (topology.overflow_ttl).")
    private Integer overflowTtl;

    @Min(0)
    @JsonPropertyDescription("Milliseconds between checks for idle overflow connections "
            + "(topology.overflow_check_period).")
    private Integer overflowCheckPeriod;

    @Min(0)
    @JsonPropertyDescription("Latency window in milliseconds for choosing among suitable servers "
            + "(topology.local_threshold_ms).")
    private Integer localThresholdMs;

    @Min(0)
    @JsonPropertyDescription("Milliseconds a connection attempt may take (topology.connect_timeout_ms).")
    private Integer connectTimeoutMs;

    @Min(0)
    @JsonPropertyDescription("Milliseconds a socket read may wait (topology.socket_timeout_ms).")
    private Integer socketTimeoutMs;

    @Min(0)
    @JsonPropertyDescription("Milliseconds to find a suitable server before an operation fails "
            + "(topology.server_selection_timeout_ms).")
    private Integer serverSelectionTimeoutMs;

    @Min(0)
    @JsonPropertyDescription("Milliseconds an operation waits for a free connection (topology.wait_queue_timeout_ms).")
    private Integer waitQueueTimeoutMs;

    @Min(0)
    @JsonPropertyDescription("Milliseconds between checks of each server (topology.heartbeat_frequency_ms).")
    private Integer heartbeatFrequencyMs;

    @Min(0)
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
