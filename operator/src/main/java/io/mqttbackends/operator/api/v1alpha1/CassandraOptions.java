package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * Options of a cassandra pool (docs/cassandra.md "Pool keys"): EMQX's auto_reconnect and logger, and the two settings
 * the driver needs
 * that EMQX did not have, the local data centre and the consistency level.
 */
public class CassandraOptions {

    /**
     * The consistency levels the driver accepts for every statement of the pool, with the conf's spelling. The
     * serial levels are not among them: they apply to the condition of a lightweight transaction only.
     */
    public enum Consistency {
        ANY, ONE, TWO, THREE, QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM
    }

    @Min(0)
    @Max(3600)
    @JsonPropertyDescription("Seconds between reconnection attempts (auto_reconnect, default 1); 0: the driver's "
            + "backoff from 1 to 60 seconds. The driver always reconnects.")
    private Integer autoReconnect;

    @Pattern("^(debug|info|notice|warning|error|critical|alert|emergency)$")
    @JsonPropertyDescription("Level of the driver's log category (logger, default info; lager's names). Shared by "
            + "every cassandra pool of the runtime: the last one loaded sets it.")
    private String logger;

    @Size(min = 1)
    @JsonPropertyDescription("The data centre whose nodes the driver sends statements to (local_datacenter, default "
            + "datacenter1); schema.init also creates the keyspace with its replicas there. Must be the data centre "
            + "name the servers report, or no node is used.")
    private String localDatacenter;

    @JsonPropertyDescription("Consistency level of every statement (consistency, default LOCAL_QUORUM: what was "
            + "acknowledged survives a failed replica, and reads see it). EMQX wrote at ONE.")
    private Consistency consistency;

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

    public String getLocalDatacenter() {
        return localDatacenter;
    }

    public void setLocalDatacenter(String localDatacenter) {
        this.localDatacenter = localDatacenter;
    }

    public Consistency getConsistency() {
        return consistency;
    }

    public void setConsistency(Consistency consistency) {
        this.consistency = consistency;
    }
}
