package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Options of a redis pool (docs/redis.md "Pool keys"). */
public class RedisOptions {

    /** Redis deployment topology. */
    public enum Mode {
        @JsonProperty("single")
        SINGLE,
        @JsonProperty("sentinel")
        SENTINEL,
        @JsonProperty("cluster")
        CLUSTER
    }

    @JsonPropertyDescription("Topology: single (default), sentinel (servers are the sentinels; set sentinel) or "
            + "cluster (servers are seed nodes).")
    private Mode mode;

    @JsonPropertyDescription("Sentinel master name; required when mode is sentinel.")
    private String sentinel;

    @JsonPropertyDescription("Pub/sub control channel (default mqtt_channel).")
    private String channel;

    public Mode getMode() {
        return mode;
    }

    public void setMode(Mode mode) {
        this.mode = mode;
    }

    public String getSentinel() {
        return sentinel;
    }

    public void setSentinel(String sentinel) {
        this.sentinel = sentinel;
    }

    public String getChannel() {
        return channel;
    }

    public void setChannel(String channel) {
        this.channel = channel;
    }
}
