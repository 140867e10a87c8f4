package io.mqttbackends.bench.fault;

import io.mqttbackends.bench.RssSampler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * The runtime under test: the packaged jar in a JVM of its own, on its own HTTP port, started again after every
 * kill. Each start logs to its own file ({@code runtime-<n>.log}); its memory is sampled from the start of a case
 * ({@link #startCase()}) across restarts.
 */
final class RuntimeProcess implements AutoCloseable {
    /** How long a (re)start may take to readiness. */
    static final int READY_TIMEOUT_SECONDS = 90;
    /** The log lines a case reports: the MQTT session's, and every warning or error. */
    private static final Pattern REPORTED = Pattern.compile("MQTT|WARN|ERROR|OutOfMemory|Exception");
    private static final int REPORTED_MAX = 40;

    private final List<String> command;
    private final Path work;
    private final int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final List<RssSampler> samplers = new ArrayList<>();
    private Process process;
    private int starts;

    RuntimeProcess(List<String> command, Path work, int httpPort) {
        this.command = List.copyOf(command);
        this.work = work;
        this.httpPort = httpPort;
    }

    List<String> command() {
        return command;
    }

    int starts() {
        return starts;
    }

    /** Starts the runtime and returns once it is ready; fails when it is not within the timeout. */
    void start() {
        starts++;
        process = Processes.start(command, log(starts));
        synchronized (samplers) {
            samplers.add(new RssSampler(process.pid()));
        }
        if (!awaitReady(READY_TIMEOUT_SECONDS)) {
            throw new IllegalStateException("the runtime is not ready " + READY_TIMEOUT_SECONDS + " s after start "
                    + starts + "; its log " + log(starts) + " ends with:\n" + Processes.tail(log(starts), 20));
        }
    }

    /** SIGKILL. */
    void kill() {
        process.destroyForcibly();
        Processes.awaitExit(process, 10);
    }

    /** SIGTERM, and the exit status once it exited (SIGKILL after 60 s). */
    int terminate() {
        process.destroy();
        return Processes.awaitExit(process, 60);
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    boolean awaitReady(int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (ready()) {
                return true;
            }
            if (!alive()) {
                return false;
            }
            LockSupport.parkNanos(100_000_000L);
        }
        return false;
    }

    /** {@code /q/health/ready} answers 200: the MQTT session is connected and subscribed, the pool answers. */
    boolean ready() {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                    + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** From now on, {@link #peakRssMb()} covers this process and every restart. */
    void startCase() {
        synchronized (samplers) {
            samplers.forEach(RssSampler::close);
            samplers.clear();
            if (alive()) {
                samplers.add(new RssSampler(process.pid()));
            }
        }
    }

    /** The largest VmRSS sampled (every 100 ms) since {@link #startCase()}, over every runtime process. */
    Long peakRssMb() {
        synchronized (samplers) {
            return samplers.stream().map(RssSampler::sampledPeakMb).filter(Objects::nonNull)
                    .max(Long::compare).orElse(null);
        }
    }

    /** Where the runtime's log is now: {@link #linesSince} reads from there. */
    LogMark mark() {
        return new LogMark(starts, Processes.size(log(starts)));
    }

    /** The reported log lines (MQTT session, warnings, errors) written since {@code mark}, over restarts. */
    List<String> linesSince(LogMark mark) {
        List<String> lines = new ArrayList<>();
        for (int n = mark.start(); n <= starts && lines.size() < REPORTED_MAX; n++) {
            lines.addAll(Processes.linesAfter(log(n), n == mark.start() ? mark.offset() : 0,
                    l -> REPORTED.matcher(l).find(), REPORTED_MAX - lines.size()));
        }
        return lines;
    }

    /** How many times {@code text} occurs in the runtime's logs since {@code mark}. */
    long count(LogMark mark, String text) {
        long count = 0;
        for (int n = mark.start(); n <= starts; n++) {
            try {
                String all = Files.readString(log(n), StandardCharsets.ISO_8859_1);
                String part = n == mark.start() ? all.substring((int) Math.min(mark.offset(), all.length())) : all;
                for (int i = part.indexOf(text); i >= 0; i = part.indexOf(text, i + 1)) {
                    count++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return count;
    }

    /** A place in the runtime's logs: start number and byte offset in that start's file. */
    record LogMark(int start, long offset) {
    }

    Path log(int start) {
        return work.resolve("runtime-" + start + ".log");
    }

    @Override
    public void close() {
        synchronized (samplers) {
            samplers.forEach(RssSampler::close);
        }
        if (alive()) {
            terminate();
        }
    }
}
