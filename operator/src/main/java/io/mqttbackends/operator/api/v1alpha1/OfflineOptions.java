package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** offline_opts of an on_message_fetch hook. */
public class OfflineOptions {

    @Min(1)
    @JsonPropertyDescription("Return at most this many stored messages (the newest).")
    private Integer maxReturnedCount;

    @Pattern("^([0-9]+[dhms])+$")
    @JsonPropertyDescription("Only messages that arrived within this window, e.g. 2h, 30m, 7d, 1h30m.")
    private String timeRange;

    public Integer getMaxReturnedCount() {
        return maxReturnedCount;
    }

    public void setMaxReturnedCount(Integer maxReturnedCount) {
        this.maxReturnedCount = maxReturnedCount;
    }

    public String getTimeRange() {
        return timeRange;
    }

    public void setTimeRange(String timeRange) {
        this.timeRange = timeRange;
    }
}
