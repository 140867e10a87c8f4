package io.mqttbackends.bench.store;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import io.mqttbackends.bench.BenchMain;
import io.mqttbackends.bench.BenchOptions;
import io.mqttbackends.bench.BenchPayload;
import io.mqttbackends.bench.BenchRows;
import io.mqttbackends.bench.EpochMicros;
import io.mqttbackends.bench.LatencyStats;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Cassandra with the runtime's layout (EMQX 4.4's tables): {@code on_message_publish} inserts into
 * {@code <keyspace>.msg (topic, msgid, sender, qos, retain, payload, arrived)}, one partition per topic, each
 * statement with the write timestamp the runtime fixed when it took the event. Through the driver the runtime's pools
 * use (Apache Cassandra Java driver 4.19.2).
 *
 * <p>Cassandra has no insert-time default and keeps no time of storage (a row's {@code WRITETIME} is the client
 * timestamp the runtime chose before sending), and counting a table is a full scan. So:
 * <ul>
 * <li>the count is the number of writes Cassandra applied to {@code msg}, from the node-local virtual table
 * {@code system_views.local_write_latency} of every node of the local datacenter, divided by the keyspace's
 * replication factor there (a few rows read, whatever the table holds); the verification then reads every row;</li>
 * <li>when a row became readable comes from a poller: every {@value #POLL_MILLIS} ms it reads the newest row of
 * each of the benchmark's topics ({@code PER PARTITION LIMIT 1}; msgids sort by time and the partition clusters by
 * msgid descending), and a row counts as stored at the first poll whose newest msgid of its topic was at or past
 * its own. The runtime applies one topic's batches one after another, so a newer row visible means the older
 * batches were applied (within a batch the statements run concurrently: a row may be counted up to that batch's
 * round trip early).</li>
 * </ul>
 * The latency to the runtime's write timestamp ({@code WRITETIME(payload)}: publish to the runtime taking the
 * event, before its queue and the INSERT's round trip) is printed as well, on stderr.
 */
final class CassandraStore implements Store {
    static final String TABLE = "msg";
    static final String CEILING_TABLE = "msg_ceiling";
    static final long POLL_MILLIS = 10;
    private static final int EMQX_TABLES = 5;
    private static final String COLUMNS = "topic, msgid, sender, qos, retain, payload, arrived";
    private static final Duration LONG_REQUEST = Duration.ofSeconds(120);

    private final CassandraScratch.Endpoint endpoint;
    private final CqlSession session;
    private final String keyspace;
    private final List<String> topics;
    private final int poolSize;
    private PreparedStatement countWrites;
    private PreparedStatement newest;
    private int replication = 1;
    private long baseline;
    private final Object seenLock = new Object();
    /** Per topic (same order as {@link #topics}): when the poller first saw each newer newest msgid. */
    private final List<List<Seen>> seen = new ArrayList<>();
    private volatile boolean closing;
    private volatile Throwable pollFailure;
    private Thread poller;

    private record Seen(String msgid, long micros) {
    }

    CassandraStore(BenchOptions o) {
        this(o, CassandraScratch.Endpoint.fromEnvironment());
    }

    CassandraStore(BenchOptions o, CassandraScratch.Endpoint endpoint) {
        this.endpoint = endpoint;
        this.keyspace = o.dbName();
        this.poolSize = o.ceilingConnections();
        List<String> t = new ArrayList<>();
        for (int i = 0; i < o.publishers(); i++) {
            t.add(BenchMain.E2E_PREFIX + "/" + i);
            seen.add(new ArrayList<>());
        }
        this.topics = List.copyOf(t);
        // The runtime pool's driver settings (CassandraBackend.driverConfig): connections per node, LOCAL_QUORUM,
        // idempotent statements.
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withString(DefaultDriverOption.SESSION_NAME, "bench")
                .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, poolSize)
                .withInt(DefaultDriverOption.CONNECTION_POOL_REMOTE_SIZE, poolSize)
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, ConsistencyLevel.LOCAL_QUORUM.name())
                .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
                .build();
        session = endpoint.builder().withConfigLoader(config).build();
    }

    @Override
    public void prepare() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        PreparedStatement tables = session.prepare(
                "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?");
        // schema.init creates EMQX's five tables one after another; the benchmark starts once it is done
        while (session.execute(tables.bind(keyspace)).all().size() < EMQX_TABLES) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Cassandra " + endpoint.node() + ": the runtime did not create "
                        + "EMQX's " + EMQX_TABLES + " tables in keyspace " + keyspace + " within 60 s (schema.init)");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        replication = replicationFactor();
        countWrites = session.prepare("SELECT count FROM system_views.local_write_latency"
                + " WHERE keyspace_name = ? AND table_name = ?");
        // the schema row can be there before the node takes statements on the table: prepared once it does
        while (true) {
            try {
                newest = session.prepare("SELECT topic, msgid FROM " + keyspace + "." + TABLE
                        + " WHERE topic IN ? PER PARTITION LIMIT 1");
                break;
            } catch (InvalidQueryException | AllNodesFailedException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        }
        reset();
        poller = new Thread(this::poll, "bench-cassandra-newest-rows");
        poller.setDaemon(true);
        poller.start();
    }

    /** The keyspace's replicas in the local datacenter (NetworkTopologyStrategy) or in all (SimpleStrategy). */
    private int replicationFactor() {
        Row row = session.execute(SimpleStatement.newInstance(
                "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", keyspace)).one();
        Map<String, String> r = row.getMap("replication", String.class, String.class);
        String factor = r.getOrDefault(endpoint.datacenter(), r.get("replication_factor"));
        if (factor == null) {
            throw new IllegalStateException("keyspace " + keyspace + " has no replicas in datacenter "
                    + endpoint.datacenter() + ": " + r);
        }
        // "3" or, with transient replication, "3/1": the full replicas write
        return Integer.parseInt(factor.split("/")[0].trim());
    }

    private void poll() {
        BoundStatement statement = newest.bind(topics);
        try {
            while (!closing) {
                long asked = System.nanoTime();
                List<Row> rows = session.execute(statement).all();
                long now = EpochMicros.now();
                synchronized (seenLock) {
                    for (Row row : rows) {
                        List<Seen> list = seen.get(topics.indexOf(row.getString("topic")));
                        String msgid = row.getString("msgid");
                        if (list.isEmpty() || msgid.compareTo(list.get(list.size() - 1).msgid()) > 0) {
                            list.add(new Seen(msgid, now));
                        }
                    }
                }
                long left = TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS) - (System.nanoTime() - asked);
                if (left > 0) {
                    LockSupport.parkNanos(left);
                }
            }
        } catch (RuntimeException e) {
            if (!closing) {
                pollFailure = e;
                System.err.println("bench: Cassandra: the newest-row poll on " + keyspace + "." + TABLE
                        + " failed: " + e);
            }
        }
    }

    @Override
    public Ceiling ceiling(BenchRows rows, int batchRows, int connections) {
        String scratch = keyspace + "." + CEILING_TABLE;
        session.execute(SimpleStatement.newInstance("DROP TABLE IF EXISTS " + scratch).setTimeout(LONG_REQUEST));
        session.execute(SimpleStatement.newInstance(ceilingDdl()).setTimeout(LONG_REQUEST));
        PreparedStatement insert = session.prepare("INSERT INTO " + scratch + " (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?)");
        AtomicLong clock = new AtomicLong();
        double seconds = Batches.write("Cassandra", rows.count(), batchRows, connections, (from, size) -> {
            // what the runtime's pool does with a batch: every INSERT at once, each with its own write timestamp
            List<CompletableFuture<AsyncResultSet>> pending = new ArrayList<>(size);
            for (int k = 0; k < size; k++) {
                BenchRows.Row r = rows.row(from + k);
                long timestamp = clock.accumulateAndGet(System.currentTimeMillis() * 1000,
                        (previous, now) -> Math.max(previous + 1, now));
                pending.add(session.executeAsync(insert.bind(r.topic(), r.msgid(), r.sender(), r.qos(), r.retain(),
                        ByteBuffer.wrap(r.payload()), Instant.ofEpochMilli(r.arrivedMillis()))
                        .setIdempotent(true).setQueryTimestamp(timestamp)).toCompletableFuture());
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        });
        long stored = 0;
        PreparedStatement count = session.prepare("SELECT COUNT(*) FROM " + scratch + " WHERE topic = ?");
        for (int i = 0; i < rows.publishers(); i++) {
            stored += session.execute(count.bind(rows.topicPrefix() + "/" + i).setTimeout(LONG_REQUEST)).one()
                    .getLong(0);
        }
        session.execute(SimpleStatement.newInstance("DROP TABLE " + scratch).setTimeout(LONG_REQUEST));
        return new Ceiling(stored, rows.count() / seconds);
    }

    /** The runtime's {@code msg} as the server describes it, under the scratch name. */
    private String ceilingDdl() {
        // the runtime created the table from its own session: this one's metadata may not have caught up
        String ddl = session.refreshSchema().getKeyspace(keyspace).flatMap(k -> k.getTable(TABLE))
                .orElseThrow(() -> new IllegalStateException("no table " + keyspace + "." + TABLE
                        + " in the driver's metadata"))
                .describe(false);
        String from = "CREATE TABLE " + CqlIdentifier.fromInternal(keyspace).asCql(false) + "."
                + CqlIdentifier.fromInternal(TABLE).asCql(false) + " (";
        if (!ddl.startsWith(from)) {
            throw new IllegalStateException("unexpected description of " + keyspace + "." + TABLE + ": " + ddl);
        }
        return "CREATE TABLE " + keyspace + "." + CEILING_TABLE + " (" + ddl.substring(from.length());
    }

    @Override
    public long count() {
        return writesApplied() - baseline;
    }

    /** Writes to {@code msg} applied on the local datacenter's nodes, per replica. */
    private long writesApplied() {
        long writes = 0;
        for (Node node : session.getMetadata().getNodes().values()) {
            if (!endpoint.datacenter().equals(node.getDatacenter())) {
                continue;
            }
            Row row = session.execute(countWrites.bind(keyspace, TABLE).setNode(node)).one();
            writes += row == null ? 0 : row.getLong("count");
        }
        return writes / replication;
    }

    @Override
    public long pollMillis() {
        return 20;
    }

    @Override
    public Verification verify() {
        if (pollFailure != null) {
            throw new IllegalStateException("the newest-row poll on " + TABLE + " failed", pollFailure);
        }
        LatencyStats latency = new LatencyStats();
        LatencyStats taken = new LatencyStats();
        Set<String> msgids = new HashSet<>();
        Set<String> distinct = new HashSet<>();
        long rows = 0;
        long last = 0;
        long unseen = 0;
        PreparedStatement read = session.prepare("SELECT msgid, payload, WRITETIME(payload) FROM " + keyspace + "."
                + TABLE + " WHERE topic = ?");
        for (int t = 0; t < topics.size(); t++) {
            List<Seen> polled;
            synchronized (seenLock) {
                polled = List.copyOf(seen.get(t));
            }
            for (Row row : session.execute(read.bind(topics.get(t)).setPageSize(5000).setTimeout(LONG_REQUEST))) {
                rows++;
                String msgid = row.getString(0);
                msgids.add(msgid);
                ByteBuffer buffer = row.getByteBuffer(1);
                byte[] payload = new byte[buffer.remaining()];
                buffer.get(payload);
                long published = BenchPayload.publishMicros(payload);
                distinct.add(topics.get(t) + " " + BenchPayload.sequence(payload));
                taken.record(row.getLong(2) - published);
                Long stored = firstSeen(polled, msgid);
                if (stored == null) {
                    unseen++;
                } else {
                    latency.record(stored - published);
                    last = Math.max(last, stored);
                }
            }
        }
        LatencyStats.Summary t = taken.summary();
        System.err.printf("bench: Cassandra: publish to the runtime's write timestamp (WRITETIME, when it took the"
                + " event) p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", t.p50Ms(), t.p99Ms(), t.maxMs());
        if (unseen > 0) {
            System.err.printf("bench: Cassandra: %d rows newer than the last poll's newest row (no latency)%n",
                    unseen);
        }
        return new Verification(rows, msgids.size(), distinct.size(), last, latency.summary());
    }

    /** The first poll whose newest msgid was at or past this one; the list's msgids ascend. */
    private static Long firstSeen(List<Seen> polled, String msgid) {
        int lo = 0;
        int hi = polled.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (polled.get(mid).msgid().compareTo(msgid) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < polled.size() ? polled.get(lo).micros() : null;
    }

    @Override
    public void reset() {
        session.execute(SimpleStatement.newInstance("TRUNCATE TABLE " + keyspace + "." + TABLE)
                .setTimeout(LONG_REQUEST));
        baseline = writesApplied();
        synchronized (seenLock) {
            seen.forEach(List::clear);
        }
    }

    @Override
    public String latencyDefinition() {
        return "publish (time stamp in the payload) to the row being readable: the first poll (every " + POLL_MILLIS
                + " ms, the newest row of each topic at LOCAL_QUORUM) that found its topic's newest msgid at or past"
                + " the row's; Cassandra keeps no time of storage (WRITETIME is the runtime's client timestamp, taken"
                + " before its queue and round trip: that latency is on stderr)";
    }

    @Override
    public void close() {
        closing = true;
        if (poller != null) {
            try {
                poller.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        session.close();
    }
}
