package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How MongoDB hooks store payloads. */
public enum PayloadFormat {
    @JsonProperty("mongo_json")
    MONGO_JSON,
    @JsonProperty("plain_text")
    PLAIN_TEXT;

    public String confName() {
        return name().toLowerCase();
    }
}
