package io.mqttbackends.bench.fault;

import io.mqttbackends.bench.EpochMicros;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Polls the runtime's readiness every 100 ms during a case and keeps its changes: when it went down and when it
 * came back (the broker cases read the runtime's reconnect from it).
 */
final class ReadinessWatch implements AutoCloseable {
    /** @param atMicros when the poll saw the new state (epoch µs) */
    record Change(long atMicros, boolean ready) {
    }

    private final List<Change> changes = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    ReadinessWatch(RuntimeProcess runtime) {
        thread = new Thread(() -> {
            Boolean last = null;
            while (running) {
                boolean ready = runtime.ready();
                if (last == null || ready != last) {
                    synchronized (changes) {
                        changes.add(new Change(EpochMicros.now(), ready));
                    }
                    last = ready;
                }
                LockSupport.parkNanos(100_000_000L);
            }
        }, "fault-readiness");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The first time the runtime was seen ready at or after {@code micros}: {@code micros} itself when it was ready
     * then and did not change since; null when it was not seen ready since.
     */
    Long readyAfter(long micros) {
        synchronized (changes) {
            boolean readyThen = false;
            for (Change c : changes) {
                if (c.atMicros() < micros) {
                    readyThen = c.ready();
                } else if (c.ready()) {
                    return c.atMicros();
                } else {
                    readyThen = false;
                }
            }
            return readyThen ? micros : null;
        }
    }

    /** Seconds the runtime was seen not ready. */
    double notReadySeconds(long untilMicros) {
        synchronized (changes) {
            double total = 0;
            for (int i = 0; i < changes.size(); i++) {
                if (!changes.get(i).ready()) {
                    long end = i + 1 < changes.size() ? changes.get(i + 1).atMicros() : untilMicros;
                    total += (end - changes.get(i).atMicros()) / 1e6;
                }
            }
            return total;
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
