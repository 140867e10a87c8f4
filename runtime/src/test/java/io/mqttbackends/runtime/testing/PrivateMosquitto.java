package io.mqttbackends.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto of the test's own on a free loopback port, configured as the benchmark's ({@code src/bench/run.sh}) and
 * as test-servers.md "Broker queue limits drop messages" asks of a no-loss test: {@code max_queued_messages 0}
 * (unbounded: the default 1000 drops QoS 1 messages for a session that falls behind or is away),
 * {@code max_inflight_messages 200} (never 0: with 0, Mosquitto 2.0 itself redelivered and a 20,000-message run stored
 * 20,301 rows, README "Broker limits"), {@code persistence false}. Its log goes to {@code mosquitto.log} in the
 * given directory.
 */
public final class PrivateMosquitto implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private PrivateMosquitto(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts it with its conf and log in {@code dir} and waits (10 s at most) until it accepts connections. */
    public static PrivateMosquitto start(Path dir) {
        return start(dir, List.of());
    }

    /**
     * As {@link #start(Path)}, with {@code extraLines} after the configuration above (a later line of the same option
     * wins, e.g. {@code max_inflight_messages 20}, Mosquitto's default, or {@code log_type notice}).
     */
    public static PrivateMosquitto start(Path dir, List<String> extraLines) {
        int port = FreePort.find();
        try {
            Files.createDirectories(dir);
            Path conf = dir.resolve("mosquitto.conf");
            Files.writeString(conf, String.join("\n",
                    "listener " + port + " 127.0.0.1",
                    "allow_anonymous true",
                    "persistence false",
                    "max_queued_messages 0",
                    "max_inflight_messages 200",
                    "set_tcp_nodelay true",
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning",
                    String.join("\n", extraLines),
                    ""));
            Path log = dir.resolve("mosquitto.log");
            Process process = new ProcessBuilder(binary(), "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            PrivateMosquitto broker = new PrivateMosquitto(process, port, log);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!broker.accepts()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    broker.close();
                    throw new IllegalStateException("mosquitto did not open port " + port + ": "
                            + Files.readString(log));
                }
                Thread.sleep(50);
            }
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String binary() {
        for (String candidate : List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "mosquitto";
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
