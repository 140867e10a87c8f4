package io.mqttbackends.model.conf;

/** How MongoDB hooks write payloads: {@code mongo_json} as an embedded document, {@code plain_text} as a string. */
public enum PayloadFormat {
    MONGO_JSON("mongo_json"),
    PLAIN_TEXT("plain_text");

    private final String confName;

    PayloadFormat(String confName) {
        this.confName = confName;
    }

    public String confName() {
        return confName;
    }
}
