package io.mqttbackends.bench.store;

import io.mqttbackends.bench.BenchOptions;
import io.mqttbackends.bench.BenchRows;
import io.mqttbackends.bench.LatencyStats;

/**
 * One database as the benchmark sees it: where the runtime's rows land, how to tell when each became visible, and
 * how fast the database takes the same rows written directly. Driver types stay behind this interface.
 */
public interface Store extends AutoCloseable {

    /**
     * Waits until the runtime has created its tables (schema.init), then adds what the latency needs (a store-time
     * column with a database-side default, or keyspace notifications).
     */
    void prepare();

    /**
     * The database ceiling: writes the rows directly, {@code batchRows} per round trip over {@code connections}
     * connections, into a scratch copy of the message table, and drops the copy afterwards.
     */
    Ceiling ceiling(BenchRows rows, int batchRows, int connections);

    /** Rows (messages) the runtime has stored so far. */
    long count();

    /** How often {@link #count()} may be called without loading the database noticeably. */
    long pollMillis();

    /** Counts, identities and publish-to-row latencies of everything the runtime stored since the last reset. */
    Verification verify();

    /** Empties the runtime's message table between runs. */
    void reset();

    /** What the latency is measured to, for the report. */
    String latencyDefinition();

    @Override
    void close();

    /** @param rows rows found in the scratch table afterwards (must equal N) */
    record Ceiling(long rows, double rowsPerSecond) {
    }

    /**
     * @param rows rows (or message hashes) stored
     * @param distinctMsgids rows with distinct msgids
     * @param distinctMessages distinct (topic, sequence) pairs read back from the payloads: N exactly when nothing
     *     was lost, whatever was duplicated
     * @param lastStoredMicros when the last row was stored (epoch µs, database or notification clock)
     */
    record Verification(long rows, long distinctMsgids, long distinctMessages, long lastStoredMicros,
            LatencyStats.Summary latency) {
    }

    static Store open(BenchOptions options) {
        return switch (options.db()) {
            case PGSQL -> SqlStore.pgsql(options);
            case MYSQL -> SqlStore.mysql(options);
            case REDIS -> new RedisStore(options);
            case MONGO -> new MongoStore(options);
            case CASSANDRA -> new CassandraStore(options);
        };
    }
}
