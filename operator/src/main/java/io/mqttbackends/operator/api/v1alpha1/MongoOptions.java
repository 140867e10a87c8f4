package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Options of a mongo pool (docs/mongodb.md). */
public class MongoOptions {

    /** MongoDB deployment topology. */
    public enum Mode {
        @JsonProperty("single")
        SINGLE,
        @JsonProperty("unknown")
        UNKNOWN,
        @JsonProperty("sharded")
        SHARDED,
        @JsonProperty("rs")
        RS
    }

    /** Write concern mode. */
    public enum WriteMode {
        @JsonProperty("safe")
        SAFE,
        @JsonProperty("unsafe")
        UNSAFE
    }

    /** Read preference mode. */
    public enum ReadMode {
        @JsonProperty("master")
        MASTER,
        @JsonProperty("slave_ok")
        SLAVE_OK
    }

    @JsonPropertyDescription("Deployment (conf type): single (default; one server), unknown (discovered from "
            + "servers), sharded (servers are mongos routers) or rs (replica set; set rsSetName or srvRecord).")
    private Mode mode;

    @JsonPropertyDescription("Resolve the one server, a host name without port, as a mongodb+srv DNS record "
            + "(SRV for the hosts, TXT for options such as the replica set).")
    private Boolean srvRecord;

    @JsonPropertyDescription("Replica set name; required when mode is rs unless srvRecord is true.")
    private String rsSetName;

    @JsonPropertyDescription("Authentication database (default admin).")
    private String authSource;

    @JsonPropertyDescription("Write mode: safe (default: acknowledged writes, w:1 for single, w:majority "
            + "otherwise) or unsafe (unacknowledged: at-least-once cannot hold).")
    private WriteMode writeMode;

    @JsonPropertyDescription("Read mode of the functions' reads: slave_ok (default: secondaries preferred) or master "
            + "(primary only).")
    private ReadMode readMode;

    @JsonPropertyDescription("Driver topology settings (backend.mongo.topology.*), global in the runtime: written "
            + "once for all mongo pools of the namespace. A pool giving a value another pool gives differently is "
            + "refused (TopologyConflict); unset fields take another pool's value, else the runtime's default.")
    private MongoTopology topology;

    public Mode getMode() {
        return mode;
    }

    public void setMode(Mode mode) {
        this.mode = mode;
    }

    public Boolean getSrvRecord() {
        return srvRecord;
    }

    public void setSrvRecord(Boolean srvRecord) {
        this.srvRecord = srvRecord;
    }

    public String getRsSetName() {
        return rsSetName;
    }

    public void setRsSetName(String rsSetName) {
        this.rsSetName = rsSetName;
    }

    public String getAuthSource() {
        return authSource;
    }

    public void setAuthSource(String authSource) {
        this.authSource = authSource;
    }

    public WriteMode getWriteMode() {
        return writeMode;
    }

    public void setWriteMode(WriteMode writeMode) {
        this.writeMode = writeMode;
    }

    public ReadMode getReadMode() {
        return readMode;
    }

    public void setReadMode(ReadMode readMode) {
        this.readMode = readMode;
    }

    public MongoTopology getTopology() {
        return topology;
    }

    public void setTopology(MongoTopology topology) {
        this.topology = topology;
    }
}
