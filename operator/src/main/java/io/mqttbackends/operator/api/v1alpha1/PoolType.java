package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.mqttbackends.model.DatabaseKind;

/** The database of a pool, with the two prefixes its conf lines use (Cassandra: ecql pools, cassa hooks). */
public enum PoolType {
    @JsonProperty("redis")
    REDIS(DatabaseKind.REDIS),
    @JsonProperty("mysql")
    MYSQL(DatabaseKind.MYSQL),
    @JsonProperty("pgsql")
    PGSQL(DatabaseKind.PGSQL),
    @JsonProperty("mongo")
    MONGO(DatabaseKind.MONGO),
    @JsonProperty("cassandra")
    CASSANDRA(DatabaseKind.CASSANDRA);

    private final DatabaseKind kind;

    PoolType(DatabaseKind kind) {
        this.kind = kind;
    }

    /** The runtime's database kind, which holds the conf prefixes and the functions of this database. */
    public DatabaseKind kind() {
        return kind;
    }

    /** The word after {@code backend.} in pool keys. */
    public String poolPrefix() {
        return kind.poolPrefix();
    }

    /** The word after {@code backend.} in hook keys. */
    public String hookPrefix() {
        return kind.hookPrefix();
    }

    /** The name used in the CR and in messages. */
    public String crName() {
        return name().toLowerCase();
    }
}
