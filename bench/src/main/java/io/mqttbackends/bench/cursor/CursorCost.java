package io.mqttbackends.bench.cursor;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.mqttbackends.bench.EpochMicros;
import io.mqttbackends.bench.LatencyStats;
import io.mqttbackends.bench.Medians;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The cost of the two ways to keep the Cassandra backend's offline cursor from moving back (issue 14): (a) each ack
 * written with {@code USING TIMESTAMP} the acked message's time, so the newest message wins by Cassandra's
 * last-write-wins, and (b) a lightweight transaction, {@code UPDATE acked SET msgid = ? ... IF msgid < ?} after an
 * {@code INSERT ... IF NOT EXISTS} for the row's first write. Both run the same updates against the same server, in
 * a keyspace of the command's own (dropped at the end), in rounds; medians are reported.
 *
 * <p>Updates go to {@code rows} (clientid, topic) rows in turn with increasing 32-hex msgids (the first 16 digits the
 * time in microseconds, as the runtime meets them), so each row's updates are {@code rows} apart and never in flight
 * together: what is measured is the price of each write, not contention on one row. After every run each row is read
 * back and must hold its last msgid.
 */
public final class CursorCost {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final CqlSession session;
    private final String keyspace;
    private final int rows;
    private final int concurrency;
    private PreparedStatement timestamped;
    private PreparedStatement insertIfNotExists;
    private PreparedStatement updateIfOlder;

    private CursorCost(CqlSession session, String keyspace, int rows, int concurrency) {
        this.session = session;
        this.keyspace = keyspace;
        this.rows = rows;
        this.concurrency = concurrency;
    }

    /** One run's figures. */
    record Run(String mode, int updates, double opsPerSecond, double p50Ms, double p99Ms, long failures,
            long notApplied, int rowsVerified) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int updates = Integer.parseInt(options.getOrDefault("updates", "20000"));
        int rows = Integer.parseInt(options.getOrDefault("rows", "1000"));
        int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "64"));
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "2000"));
        int connections = Integer.parseInt(options.getOrDefault("connections", "8"));
        String consistency = options.getOrDefault("consistency", "LOCAL_QUORUM");
        String node = options.getOrDefault("node", "127.0.0.1:9042");
        String datacenter = options.getOrDefault("datacenter", "datacenter1");
        if (updates < rows || rows < 1 || concurrency < 1 || rounds < 1) {
            throw new IllegalArgumentException("need updates >= rows >= 1, concurrency >= 1, rounds >= 1");
        }
        String keyspace = "cursor_cost_" + ProcessHandle.current().pid();
        int colon = node.lastIndexOf(':');
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, consistency)
                .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, connections)
                .build();
        try (CqlSession session = CqlSession.builder().withConfigLoader(config)
                .addContactPoint(new InetSocketAddress(node.substring(0, colon),
                        Integer.parseInt(node.substring(colon + 1))))
                .withLocalDatacenter(datacenter).build()) {
            String release = session.execute("SELECT release_version FROM system.local").one().getString(0);
            System.out.printf(Locale.ROOT, "cursor-cost: %d cursor updates per run over %d (clientid, topic) rows,"
                    + " concurrency %d, %d rounds (after a warm-up of %d updates per mode), Cassandra %s on %s,"
                    + " consistency %s, %d connections, keyspace %s%n", updates, rows, concurrency, rounds, warmup,
                    release, node, consistency, connections, keyspace);
            session.execute("CREATE KEYSPACE " + keyspace + " WITH replication = {'class': 'SimpleStrategy',"
                    + " 'replication_factor': 1}");
            boolean failed;
            try {
                // EMQX 4.4's acked table.
                session.execute("CREATE TABLE " + keyspace + ".acked (clientid text, topic text, msgid text,"
                        + " PRIMARY KEY (clientid, topic))");
                CursorCost cost = new CursorCost(session, keyspace, rows, concurrency);
                cost.prepare();
                cost.run("timestamp", Math.max(warmup, rows));
                cost.run("lwt", Math.max(warmup, rows));
                List<Run> timestamp = new ArrayList<>();
                List<Run> lwt = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    // Alternating which goes first, so neither always meets a server still busy with the other.
                    List<String> order = round % 2 == 1 ? List.of("timestamp", "lwt") : List.of("lwt", "timestamp");
                    for (String mode : order) {
                        Run run = cost.run(mode, updates);
                        (mode.equals("timestamp") ? timestamp : lwt).add(run);
                        System.out.printf(Locale.ROOT, "round %d  %-9s  %8.0f ops/s  p50 %6.2f ms  p99 %6.2f ms"
                                + "  failures %d  not applied %d  rows verified %d/%d%n", round, mode,
                                run.opsPerSecond(), run.p50Ms(), run.p99Ms(), run.failures(), run.notApplied(),
                                run.rowsVerified(), rows);
                    }
                }
                failed = report(timestamp, lwt, rows);
            } finally {
                session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
            }
            if (failed) {
                System.exit(1);
            }
        }
    }

    private void prepare() {
        timestamped = session.prepare("INSERT INTO " + keyspace + ".acked (clientid, topic, msgid) VALUES (?, ?, ?)"
                + " USING TIMESTAMP ?");
        insertIfNotExists = session.prepare("INSERT INTO " + keyspace + ".acked (clientid, topic, msgid)"
                + " VALUES (?, ?, ?) IF NOT EXISTS");
        updateIfOlder = session.prepare("UPDATE " + keyspace + ".acked SET msgid = ? WHERE clientid = ? AND topic = ?"
                + " IF msgid < ?");
    }

    private static boolean report(List<Run> timestamp, List<Run> lwt, int rows) {
        double tsOps = median(timestamp, Run::opsPerSecond);
        double lwtOps = median(lwt, Run::opsPerSecond);
        double tsP50 = median(timestamp, Run::p50Ms);
        double lwtP50 = median(lwt, Run::p50Ms);
        double tsP99 = median(timestamp, Run::p99Ms);
        double lwtP99 = median(lwt, Run::p99Ms);
        System.out.printf(Locale.ROOT, "median of %d rounds:%n", timestamp.size());
        System.out.printf(Locale.ROOT, "  timestamp (INSERT ... USING TIMESTAMP <msgid time>):        %8.0f ops/s"
                + "  p50 %6.2f ms  p99 %6.2f ms%n", tsOps, tsP50, tsP99);
        System.out.printf(Locale.ROOT, "  lwt (INSERT IF NOT EXISTS, then UPDATE ... IF msgid < ?):  %8.0f ops/s"
                + "  p50 %6.2f ms  p99 %6.2f ms%n", lwtOps, lwtP50, lwtP99);
        System.out.printf(Locale.ROOT, "  ratio timestamp/lwt: throughput %.2fx; lwt latency p50 %.2fx, p99 %.2fx"
                + " the timestamp's%n", tsOps / lwtOps, lwtP50 / tsP50, lwtP99 / tsP99);
        List<Run> all = new ArrayList<>(timestamp);
        all.addAll(lwt);
        boolean failed = all.stream().anyMatch(r -> r.failures() > 0 || r.notApplied() > 0 || r.rowsVerified() != rows);
        if (failed) {
            System.out.println("FAILED: a run had failures, conditional updates not applied, or rows not at their"
                    + " last msgid (see the rounds above)");
        }
        return failed;
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> figure) {
        return Medians.of(runs.stream().map(r -> figure.applyAsDouble(r)).toList());
    }

    /** One run of {@code updates} cursor updates in {@code mode} on an emptied table, verified. */
    private Run run(String mode, int updates) throws InterruptedException {
        session.execute("TRUNCATE " + keyspace + ".acked");
        long base = EpochMicros.now();
        LatencyStats latencies = new LatencyStats();
        AtomicLong failures = new AtomicLong();
        AtomicLong notApplied = new AtomicLong();
        IntFunction<CompletionStage<Boolean>> update = mode.equals("timestamp")
                ? i -> session.executeAsync(timestamped.bind(clientid(i), topic(i), msgid(base, i), base + i))
                        .thenApply(rs -> true)
                : i -> lwt(i, msgid(base, i));
        Semaphore permits = new Semaphore(concurrency);
        CountDownLatch done = new CountDownLatch(updates);
        long started = System.nanoTime();
        for (int i = 0; i < updates; i++) {
            permits.acquire();
            long start = System.nanoTime();
            CompletionStage<Boolean> stage;
            try {
                stage = update.apply(i);
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((applied, failure) -> {
                latencies.record((System.nanoTime() - start) / 1000);
                if (failure != null) {
                    if (failures.incrementAndGet() == 1) {
                        System.err.println("cursor-cost: " + mode + ": " + failure);
                    }
                } else if (!applied) {
                    notApplied.incrementAndGet();
                }
                permits.release();
                done.countDown();
            });
        }
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException(mode + ": updates still running after 10 minutes");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        LatencyStats.Summary summary = latencies.summary();
        return new Run(mode, updates, updates / seconds, summary.p50Ms(), summary.p99Ms(), failures.get(),
                notApplied.get(), verify(base, updates));
    }

    /** The row's first write creates it; later ones move it only forwards. */
    private CompletionStage<Boolean> lwt(int i, String msgid) {
        if (i < rows) {
            return session.executeAsync(insertIfNotExists.bind(clientid(i), topic(i), msgid))
                    .thenCompose(rs -> rs.wasApplied() ? CompletableFuture.completedFuture(true) : updateIf(i, msgid));
        }
        return updateIf(i, msgid);
    }

    private CompletionStage<Boolean> updateIf(int i, String msgid) {
        return session.executeAsync(updateIfOlder.bind(msgid, clientid(i), topic(i), msgid))
                .thenApply(AsyncResultSet::wasApplied);
    }

    /** Rows whose msgid is the last one written to them. */
    private int verify(long base, int updates) {
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < updates; i++) {
            expected.put(clientid(i) + "|" + topic(i), msgid(base, i));
        }
        int good = 0;
        for (Row row : session.execute("SELECT clientid, topic, msgid FROM " + keyspace + ".acked")) {
            if (row.getString(2).equals(expected.get(row.getString(0) + "|" + row.getString(1)))) {
                good++;
            }
        }
        return good;
    }

    private String clientid(int i) {
        return "client-" + (i % rows) / 10;
    }

    private String topic(int i) {
        return "t/" + (i % rows) % 10;
    }

    /** A runtime-style id: its time (microseconds) then a sequence, 32 hex digits, increasing with {@code i}. */
    private static String msgid(long base, int i) {
        return HEX.toHexDigits(base + i) + HEX.toHexDigits((long) i);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: CursorCost [--updates N] [--rows N] [--concurrency N]"
                        + " [--rounds N] [--warmup N] [--connections N] [--consistency LEVEL] [--node host:port]"
                        + " [--datacenter NAME]; got " + arg);
            }
            options.put(arg.substring(2), args[++i]);
        }
        return options;
    }
}
