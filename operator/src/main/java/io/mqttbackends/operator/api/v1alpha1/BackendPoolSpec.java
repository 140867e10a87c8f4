package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.mqttbackends.model.conf.DatabaseProfile;
import java.util.List;

/** A database connection pool; its metadata.name is the pool name hooks refer to. */
public class BackendPoolSpec {

    /** The runtime's host[:port] grammar (IPv6 in brackets), anchored for the schema. */
    static final String HOST_PORT = "^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9][A-Za-z0-9._-]*)(:[0-9]{1,5})?$";

    @Required
    @JsonPropertyDescription("Database: redis, mysql, pgsql, mongo or cassandra.")
    private PoolType type;

    @Size(min = 1)
    @JsonPropertyDescription("Servers as host[:port] (IPv6 in brackets). mysql, pgsql and mongo single take exactly "
            + "one, a mongo srvRecord one host without port; redis sentinel/cluster, mongo rs/sharded/unknown and "
            + "cassandra take several. Default: 127.0.0.1 with the database's port.")
    private List<@Pattern(HOST_PORT) String> servers;

    @JsonPropertyDescription("Database name (mysql, pgsql, mongo), keyspace (cassandra: 1 to 48 letters, digits "
            + "and underscores, unquoted CQL so MQTT is mqtt) or database index (redis, digits).")
    private String database;

    @Min(1)
    @Max(DatabaseProfile.MAX_POOL_SIZE)
    @JsonPropertyDescription("Connections in the pool (default 8).")
    private Integer poolSize;

    @JsonPropertyDescription("Create the shipped tables at start (schema.init).")
    private Boolean schemaInit;

    @Min(1)
    @Max(10_000)
    @JsonPropertyDescription("Most writes sent to the database in one round trip (batch_size, default 500).")
    private Integer batchSize;

    @Min(0)
    @Max(60_000)
    @JsonPropertyDescription("Milliseconds an idle pool waits for more writes before sending a batch (batch_time, "
            + "default 0).")
    private Integer batchTime;

    @Min(100)
    @Max(600_000)
    @JsonPropertyDescription("Milliseconds after which any call to the database fails and is retried (call_timeout, "
            + "default 10000).")
    private Integer callTimeout;

    @JsonPropertyDescription("Credentials, as references to Secret keys in the same namespace.")
    private Credentials credentials;

    @JsonPropertyDescription("TLS towards the database.")
    private Tls tls;

    @JsonPropertyDescription("Options of redis pools.")
    private RedisOptions redis;

    @JsonPropertyDescription("Options of mongo pools.")
    private MongoOptions mongo;

    @JsonPropertyDescription("Options of cassandra pools.")
    private CassandraOptions cassandra;

    @JsonPropertyDescription("Message retention of mysql and pgsql pools: delete stored messages by age and/or count "
            + "per topic (retention.*; other types refuse it). Default: kept forever, as EMQX.")
    private RetentionOptions retention;

    public PoolType getType() {
        return type;
    }

    public void setType(PoolType type) {
        this.type = type;
    }

    public List<String> getServers() {
        return servers;
    }

    public void setServers(List<String> servers) {
        this.servers = servers;
    }

    public String getDatabase() {
        return database;
    }

    public void setDatabase(String database) {
        this.database = database;
    }

    public Integer getPoolSize() {
        return poolSize;
    }

    public void setPoolSize(Integer poolSize) {
        this.poolSize = poolSize;
    }

    public Boolean getSchemaInit() {
        return schemaInit;
    }

    public void setSchemaInit(Boolean schemaInit) {
        this.schemaInit = schemaInit;
    }

    public Integer getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(Integer batchSize) {
        this.batchSize = batchSize;
    }

    public Integer getBatchTime() {
        return batchTime;
    }

    public void setBatchTime(Integer batchTime) {
        this.batchTime = batchTime;
    }

    public Integer getCallTimeout() {
        return callTimeout;
    }

    public void setCallTimeout(Integer callTimeout) {
        this.callTimeout = callTimeout;
    }

    public Credentials getCredentials() {
        return credentials;
    }

    public void setCredentials(Credentials credentials) {
        this.credentials = credentials;
    }

    public Tls getTls() {
        return tls;
    }

    public void setTls(Tls tls) {
        this.tls = tls;
    }

    public RedisOptions getRedis() {
        return redis;
    }

    public void setRedis(RedisOptions redis) {
        this.redis = redis;
    }

    public MongoOptions getMongo() {
        return mongo;
    }

    public void setMongo(MongoOptions mongo) {
        this.mongo = mongo;
    }

    public CassandraOptions getCassandra() {
        return cassandra;
    }

    public void setCassandra(CassandraOptions cassandra) {
        this.cassandra = cassandra;
    }

    public RetentionOptions getRetention() {
        return retention;
    }

    public void setRetention(RetentionOptions retention) {
        this.retention = retention;
    }
}
