package io.mqttbackends.bench.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The command's own Mosquitto on a free port, with persistence: a graceful stop (SIGTERM) writes its sessions and
 * queued messages to {@code mosquitto.db}, read back at start. Autosave is left at its half-hour default, so within
 * a run the file only changes at a graceful stop, and a SIGKILL loses whatever happened since. Unbounded queues and
 * an in-flight window of 200, as in the benchmark (docs/operations.md, broker limits): a bounded queue would drop
 * QoS 1 messages itself and the command would measure the broker.
 */
final class PrivateBroker implements AutoCloseable {
    private final Path dir;
    private final Path conf;
    private final Path log;
    private final int port;
    private Process process;

    PrivateBroker(Path work, int port) {
        this.dir = work.resolve("mosquitto");
        this.conf = work.resolve("mosquitto.conf");
        this.log = work.resolve("mosquitto.log");
        this.port = port;
        try {
            Files.createDirectories(dir);
            // As root, Mosquitto drops to the user named here (default "mosquitto", which could not write dir).
            // message_size_limit as docs/operations.md asks, under the runtime's 2 MiB Maximum Packet Size: a
            // larger publish is refused to its publisher (Mosquitto 2.0.11 stops delivering to a session after dropping
            // max_inflight_messages publishes too large for it).
            Files.writeString(conf, """
                    listener %d 127.0.0.1
                    allow_anonymous true
                    user %s
                    persistence true
                    persistence_location %s/
                    autosave_interval 1800
                    max_queued_messages 0
                    max_inflight_messages 200
                    message_size_limit 2000000
                    set_tcp_nodelay true
                    log_dest stderr
                    log_type error
                    log_type warning
                    log_type notice
                    log_type information
                    log_timestamp_format %%Y-%%m-%%dT%%H:%%M:%%S
                    """.formatted(port, System.getProperty("user.name"), dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    Path log() {
        return log;
    }

    String confText() {
        try {
            return Files.readString(conf);
        } catch (IOException e) {
            return "";
        }
    }

    void start() {
        process = Processes.start(List.of("mosquitto", "-c", conf.toString()), log);
        Processes.awaitPort("mosquitto", port, process, log, 10);
    }

    /** SIGTERM: Mosquitto saves its state and exits. */
    void stop() {
        process.destroy();
        Processes.awaitExit(process, 20);
    }

    /** SIGKILL: nothing saved. */
    void kill() {
        process.destroyForcibly();
        Processes.awaitExit(process, 10);
    }

    /** When {@code mosquitto.db} was last written, or null when it never was. */
    Instant savedAt() {
        Path db = dir.resolve("mosquitto.db");
        try {
            return Files.exists(db) ? Files.getLastModifiedTime(db).toInstant() : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            stop();
        }
    }
}
