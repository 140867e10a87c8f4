package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/**
 * Message retention of a mysql or pgsql pool's {@code mqtt_msg} (the conf's {@code retention.*} keys; not in EMQX,
 * whose SQL rows never expired): the runtime deletes old rows in bounded batches, off the event path. Off unless
 * maxAge or maxPerTopic is set.
 */
public class RetentionOptions {

    /** The conf's duration grammar: digits and a unit, possibly several (offline_opts.time_range's). */
    static final String DURATION = "^([0-9]+[dhms])+$";

    @Pattern(DURATION)
    @JsonPropertyDescription("Delete stored messages older than this, by their arrival time, e.g. 7d, 12h, 1h30m "
            + "(retention.max_age; 1s to 3650d). Default: kept forever.")
    private String maxAge;

    @Min(1)
    @Max(1_000_000_000)
    @JsonPropertyDescription("Keep at most this many stored messages per topic, the newest (retention.max_per_topic). "
            + "Default: no limit.")
    private Integer maxPerTopic;

    @Pattern(DURATION)
    @JsonPropertyDescription("Pause between the end of one retention run and the start of the next, e.g. 1m, 30s "
            + "(retention.interval; 1s to 1d, default 1m).")
    private String interval;

    @Min(1)
    @Max(100_000)
    @JsonPropertyDescription("Most rows one delete statement removes (retention.batch_size, default 1000); a run "
            + "repeats the statement while it removes a full batch.")
    private Integer batchSize;

    public String getMaxAge() {
        return maxAge;
    }

    public void setMaxAge(String maxAge) {
        this.maxAge = maxAge;
    }

    public Integer getMaxPerTopic() {
        return maxPerTopic;
    }

    public void setMaxPerTopic(Integer maxPerTopic) {
        this.maxPerTopic = maxPerTopic;
    }

    public String getInterval() {
        return interval;
    }

    public void setInterval(String interval) {
        this.interval = interval;
    }

    public Integer getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(Integer batchSize) {
        this.batchSize = batchSize;
    }
}
