package io.mqttbackends.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The runtime's memory from {@code /proc/<pid>/status}: {@code VmRSS} sampled every 100 ms while the benchmark
 * runs (its maximum), and {@code VmHWM}, the kernel's own high-water mark, at the end.
 */
public final class RssSampler implements AutoCloseable {
    private final long pid;
    private final AtomicLong peakKb = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    public RssSampler(long pid) {
        this.pid = pid;
        thread = new Thread(() -> {
            while (running) {
                Long kb = statusKb(pid, "VmRSS");
                if (kb != null) {
                    peakKb.accumulateAndGet(kb, Math::max);
                }
                LockSupport.parkNanos(100_000_000L);
            }
        }, "bench-rss-sampler");
        thread.setDaemon(true);
        if (pid > 0) {
            thread.start();
        }
    }

    /** Sampled maximum of VmRSS in MB; null when no runtime pid was given or it could not be read. */
    public Long sampledPeakMb() {
        return peakKb.get() == 0 ? null : peakKb.get() / 1024;
    }

    public Long highWaterMarkMb() {
        Long kb = statusKb(pid, "VmHWM");
        return kb == null ? null : kb / 1024;
    }

    /** A {@code kB} line of {@code /proc/<pid>/status}; null when the process or the line is not there. */
    static Long statusKb(long pid, String field) {
        if (pid <= 0) {
            return null;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
            return null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void close() {
        running = false;
    }
}
