package io.mqttbackends.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * The five database kinds, with the two conf prefixes EMQX used for each: Cassandra's pools live under
 * {@code backend.ecql.*} while its hooks live under {@code backend.cassa.hook.*}.
 */
public enum DatabaseKind {
    REDIS("redis", "redis"),
    MYSQL("mysql", "mysql"),
    PGSQL("pgsql", "pgsql"),
    MONGO("mongo", "mongo"),
    CASSANDRA("ecql", "cassa");

    private final String poolPrefix;
    private final String hookPrefix;

    DatabaseKind(String poolPrefix, String hookPrefix) {
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

    public static Optional<DatabaseKind> fromPoolPrefix(String prefix) {
        return Arrays.stream(values()).filter(k -> k.poolPrefix.equals(prefix)).findFirst();
    }

    public static Optional<DatabaseKind> fromHookPrefix(String prefix) {
        return Arrays.stream(values()).filter(k -> k.hookPrefix.equals(prefix)).findFirst();
    }

    @Override
    public String toString() {
        return hookPrefix;
    }
}
