package io.mqttbackends.bench.store;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The database ceiling's write loop, the same for every database: {@code connections} workers take the next
 * batch of {@code batchRows} rows until all are written, each waiting for its round trip before the next, as a
 * batching consumer would. Workers are plain threads blocking on each round trip (a Vert.x future or a blocking
 * driver call), never event-loop threads.
 */
final class Batches {
    /** Writes rows {@code [from, from + size)} in one round trip and returns once the database acknowledged them. */
    @FunctionalInterface
    interface Writer {
        void write(long from, int size);
    }

    private Batches() {
    }

    /** @return seconds from the first batch sent to the last acknowledged */
    static double write(String what, long rows, int batchRows, int connections, Writer writer) {
        long batches = (rows + batchRows - 1) / batchRows;
        AtomicLong next = new AtomicLong();
        ExecutorService workers = Executors.newFixedThreadPool(connections);
        long start = System.nanoTime();
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int w = 0; w < connections; w++) {
            done.add(workers.submit(() -> {
                for (long b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                    long from = b * batchRows;
                    writer.write(from, (int) Math.min(batchRows, rows - from));
                }
            }));
        }
        workers.shutdown();
        for (java.util.concurrent.Future<?> f : done) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(what + " ceiling interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(what + " ceiling write failed: " + e.getCause().getMessage(),
                        e.getCause());
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Blocks the calling (driver) thread for a Vert.x result. */
    static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().join();
    }
}
