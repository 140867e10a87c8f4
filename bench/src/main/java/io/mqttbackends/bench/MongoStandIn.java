package io.mqttbackends.bench;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.MongoDatabase;
import java.util.concurrent.CountDownLatch;

/**
 * The benchmark's MongoDB when no real one is named ({@code MQTTBACKENDS_BENCH_MONGO_URI}): no mongod package is
 * obtainable on these machines, so {@code src/bench/run.sh --db mongo} starts the protocol-compatible stand-in
 * mongo-java-server (memory backend) in a JVM of its own, so that its CPU and heap are neither the runtime's nor
 * the driver's. It runs until it is sent SIGTERM.
 *
 * <p>MongoDB has no insert-time default to read the moment a document was stored from (what {@code stored_at}
 * gives the SQL databases), so the stand-in adds one: every document inserted into a collection whose name starts
 * with {@code mqtt_msg} gets {@value #STORED_AT}, the stand-in's clock in epoch µs at the insert, after the unique
 * index checks and before the write is acknowledged. The runtime's insert does not name the field; the rest of
 * each document is stored as sent.
 *
 * <p>One fix to mongo-java-server: findAndModify answers a copy of the document taken under the collection's lock
 * (see {@link StandInCollection}); unfixed, concurrent {@code $inc} calls on the runtime's counter reserve the same
 * {@code _id}s, and each collision costs the runtime a retry and a full scan to seed its counter again.
 *
 * <p>Usage: {@code java -cp mqtt-backends-bench.jar io.mqttbackends.bench.MongoStandIn [--host H] --port P}.
 */
public final class MongoStandIn {
    /** The field the stand-in adds to each document inserted into an {@code mqtt_msg*} collection. */
    public static final String STORED_AT = "stored_at";
    static final String STAMPED_PREFIX = "mqtt_msg";

    private MongoStandIn() {
    }

    public static void main(String[] args) throws InterruptedException {
        String host = "127.0.0.1";
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                usage("option " + option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--host" -> host = value;
                case "--port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        usage("--port " + value + ": not a number");
                    }
                }
                default -> usage("unknown option " + option);
            }
        }
        if (port <= 0 || port > 65_535) {
            usage("--port is required (1..65535)");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        MongoServer server = start(host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdownNow();
            stopped.countDown();
        }, "mongo-stand-in-stop"));
        System.out.printf("mongo-java-server stand-in (memory backend, %s stamped) listening on %s:%d%n", STORED_AT,
                host, port);
        stopped.await();
    }

    /** Starts the stand-in on {@code host:port} in this JVM (the driver's tests use it that way). */
    public static MongoServer start(String host, int port) {
        MongoServer server = new MongoServer(new StampingBackend());
        server.bind(host, port);
        return server;
    }

    private static void usage(String problem) {
        System.err.println("MongoStandIn: " + problem);
        System.err.println("usage: java -cp mqtt-backends-bench.jar io.mqttbackends.bench.MongoStandIn"
                + " [--host 127.0.0.1] --port PORT");
        System.exit(2);
    }

    /** The memory backend whose {@code mqtt_msg*} collections stamp each inserted document. */
    static final class StampingBackend extends MemoryBackend {
        @Override
        public MemoryDatabase openOrCreateDatabase(String databaseName) {
            return new StampingDatabase(databaseName, getCursorRegistry());
        }
    }

    private static final class StampingDatabase extends MemoryDatabase {
        private final CursorRegistry cursors;

        StampingDatabase(String name, CursorRegistry cursors) {
            super(name, cursors);
            this.cursors = cursors;
        }

        @Override
        protected MemoryCollection openOrCreateCollection(String name, CollectionOptions options) {
            return new StandInCollection(this, name, options, cursors, name.startsWith(STAMPED_PREFIX));
        }
    }

    /**
     * A memory collection that stamps inserts (when asked) and answers findAndModify with the document as the
     * modification left it. mongo-java-server 1.47.0 returns the stored document itself, which it encodes after
     * releasing the collection's lock: two concurrent {@code $inc} calls on one counter then both answer the later
     * value (measured: 24 to 46 of 2,400 calls from 8 threads), so two of the runtime's batches reserve the same
     * {@code _id}s. A real MongoDB answers each call its own value; so does this copy taken under the lock.
     */
    private static final class StandInCollection extends MemoryCollection {
        private final boolean stamp;

        StandInCollection(MongoDatabase database, String name, CollectionOptions options, CursorRegistry cursors,
                boolean stamp) {
            super(database, name, options, cursors);
            this.stamp = stamp;
        }

        @Override
        protected Integer addDocumentInternal(Document document) {
            if (stamp) {
                document.put(STORED_AT, EpochMicros.now());
            }
            return super.addDocumentInternal(document);
        }

        @Override
        public synchronized Document findAndModify(Document query) {
            return super.findAndModify(query).cloneDeeply();
        }
    }
}
