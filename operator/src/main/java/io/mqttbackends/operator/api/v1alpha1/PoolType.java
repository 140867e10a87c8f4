package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The database of a pool, with the two prefixes its conf lines use (Cassandra: ecql pools, cassa hooks). */
public enum PoolType {
    @JsonProperty("redis")
    REDIS("redis", "redis"),
    @JsonProperty("mysql")
    MYSQL("mysql", "mysql"),
    @JsonProperty("pgsql")
    PGSQL("pgsql", "pgsql"),
    @JsonProperty("mongo")
    MONGO("mongo", "mongo"),
    @JsonProperty("cassandra")
    CASSANDRA("ecql", "cassa");

    private final String poolPrefix;
    private final String hookPrefix;

    PoolType(String poolPrefix, String hookPrefix) {
        this.poolPrefix = poolPrefix;
        this.hookPrefix = hookPrefix;
    }

    /** The word after {@code backend.} in pool keys. */
    public String poolPrefix() {
        return poolPrefix;
    }

    /** The word after {@code backend.} in hook keys. */
    public String hookPrefix() {
        return hookPrefix;
    }

    /** The name used in the CR and in messages. */
    public String crName() {
        return name().toLowerCase();
    }
}
