package io.mqttbackends.runtime.ingest;

import io.mqttbackends.runtime.config.RuntimeConfig;
import java.util.List;

/**
 * The ways broker events reach the runtime. Declaration order is routing precedence: a topic matching an
 * {@code emqx-rule} or {@code emqx-sys} filter is never decoded as {@code raw}.
 */
public enum IngestFormat {
    /** JSON an EMQX 5 rule republishes with payload {@code ${.}} (EMQX 5's rule-engine events, docs/emqx-events.md);
     * all seven hook points. */
    EMQX_RULE("emqx-rule", "mqttbackends/events/#"),
    /** EMQX 5 {@code $SYS/brokers/<node>/clients/<clientid>/<event>} notifications (EMQX 5's $SYS client event topics,
     * docs/emqx-events.md). */
    EMQX_SYS("emqx-sys", "$SYS/brokers/+/clients/#"),
    /** Plain application publishes from any broker; {@code message.publish} only. */
    RAW("raw", "#");

    private final String confName;
    private final String defaultFilter;

    IngestFormat(String confName, String defaultFilter) {
        this.confName = confName;
        this.defaultFilter = defaultFilter;
    }

    public String confName() {
        return confName;
    }

    /** This format's settings within {@code mqttbackends.ingest}. */
    public RuntimeConfig.Format settings(RuntimeConfig.Ingest ingest) {
        return switch (this) {
            case EMQX_RULE -> ingest.emqxRule();
            case EMQX_SYS -> ingest.emqxSys();
            case RAW -> ingest.raw();
        };
    }

    /** The configured topic filters (without share prefix), or the format's default. */
    public List<String> filters(RuntimeConfig.Ingest ingest) {
        return settings(ingest).topics().orElse(List.of(defaultFilter));
    }

    @Override
    public String toString() {
        return confName;
    }
}
