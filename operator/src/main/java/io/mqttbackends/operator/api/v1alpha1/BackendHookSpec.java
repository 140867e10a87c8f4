package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** One hook line: on a hook point, optionally filtered by topic, run an action against a pool. */
public class BackendHookSpec {

    @Required
    @JsonPropertyDescription("Hook point: client.connected, client.disconnected, session.subscribed, "
            + "session.unsubscribed, message.publish, message.delivered or message.acked.")
    private HookPoint hookpoint;

    @JsonPropertyDescription("MQTT topic filter (+ and # wildcards); the hook runs only for matching topics. "
            + "Ignored on client.connected and client.disconnected.")
    private String topic;

    @Required
    @JsonPropertyDescription("Name of a BackendPool in the same namespace.")
    private String poolRef;

    @Required
    @Min(1)
    @JsonPropertyDescription("Position among the hooks of this hook point and database (the conf line's <n>); "
            + "unique per hook point and database, hooks run in ascending order.")
    private Integer order;

    @Required
    @JsonPropertyDescription("What the hook does: exactly one of function, sql, cql, commands.")
    private HookAction action;

    @JsonPropertyDescription("offline_opts of on_message_fetch: row limit and time window.")
    private OfflineOptions offlineOpts;

    @JsonPropertyDescription("TTL in seconds of stored message keys (redis message.publish hooks; <= 0 means 7200).")
    private Integer expiredTime;

    @JsonPropertyDescription("How payloads are stored by mongo on_message_publish, on_message_store and "
            + "on_message_retain: plain_text (default: a string when the bytes are UTF-8, else binary) or mongo_json "
            + "(a JSON object as an embedded document, anything else as plain_text stores it).")
    private PayloadFormat payloadFormat;

    public HookPoint getHookpoint() {
        return hookpoint;
    }

    public void setHookpoint(HookPoint hookpoint) {
        this.hookpoint = hookpoint;
    }

    public String getTopic() {
        return topic;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    public String getPoolRef() {
        return poolRef;
    }

    public void setPoolRef(String poolRef) {
        this.poolRef = poolRef;
    }

    public Integer getOrder() {
        return order;
    }

    public void setOrder(Integer order) {
        this.order = order;
    }

    public HookAction getAction() {
        return action;
    }

    public void setAction(HookAction action) {
        this.action = action;
    }

    public OfflineOptions getOfflineOpts() {
        return offlineOpts;
    }

    public void setOfflineOpts(OfflineOptions offlineOpts) {
        this.offlineOpts = offlineOpts;
    }

    public Integer getExpiredTime() {
        return expiredTime;
    }

    public void setExpiredTime(Integer expiredTime) {
        this.expiredTime = expiredTime;
    }

    public PayloadFormat getPayloadFormat() {
        return payloadFormat;
    }

    public void setPayloadFormat(PayloadFormat payloadFormat) {
        this.payloadFormat = payloadFormat;
    }
}
