package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Options of a cassandra pool (spec §6.1). */
public class CassandraOptions {

    @Min(0)
    @JsonPropertyDescription("auto_reconnect of EMQX's ecql pool (default 1).")
    private Integer autoReconnect;

    @Pattern("^(debug|info|warning|error)$")
    @JsonPropertyDescription("Driver log level (default info).")
    private String logger;

    public Integer getAutoReconnect() {
        return autoReconnect;
    }

    public void setAutoReconnect(Integer autoReconnect) {
        this.autoReconnect = autoReconnect;
    }

    public String getLogger() {
        return logger;
    }

    public void setLogger(String logger) {
        this.logger = logger;
    }
}
