package io.mqttbackends.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        return start(dir, List.of("allow_anonymous true"));
    }

    /**
     * Starts it as {@link #start(Path)} does, but with access control: no anonymous clients, the users of
     * {@code passwords} (name to password, hashed by {@code mosquitto_passwd} into {@code dir/passwords}) and the
     * rules of {@code acl} (Mosquitto's acl_file syntax, written to {@code dir/acl}).
     */
    public static PrivateMosquitto startWithAccessControl(Path dir, Map<String, String> passwords, String acl) {
        try {
            Files.createDirectories(dir);
            Path passwordFile = dir.resolve("passwords");
            Files.writeString(passwordFile, "");
            for (Map.Entry<String, String> user : passwords.entrySet()) {
                Process passwd = new ProcessBuilder(executable("mosquitto_passwd"), "-b", passwordFile.toString(),
                        user.getKey(), user.getValue()).redirectErrorStream(true).start();
                String output = new String(passwd.getInputStream().readAllBytes());
                if (!passwd.waitFor(10, TimeUnit.SECONDS) || passwd.exitValue() != 0) {
                    throw new IllegalStateException("mosquitto_passwd failed for " + user.getKey() + ": " + output);
                }
            }
            Path aclFile = dir.resolve("acl");
            Files.writeString(aclFile, acl);
            // Started as root, Mosquitto 2.0 reads these files after switching to its own user, which cannot
            // enter the test's private temporary directory: staying root is harmless for a loopback test broker.
            return start(dir, List.of("user root", "allow_anonymous false", "password_file " + passwordFile,
                    "acl_file " + aclFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static PrivateMosquitto start(Path dir, List<String> accessLines) {
        int port = FreePort.find();
        try {
            Files.createDirectories(dir);
            Path conf = dir.resolve("mosquitto.conf");
            Files.writeString(conf, String.join("\n",
                    "listener " + port + " 127.0.0.1",
                    String.join("\n", accessLines),
                    "persistence false",
                    "max_queued_messages 0",
                    "max_inflight_messages 200",
                    "set_tcp_nodelay true",
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning",
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
        return executable("mosquitto");
    }

    private static String executable(String name) {
        for (String dir : List.of("/usr/sbin/", "/usr/bin/", "/usr/local/sbin/", "/usr/local/bin/")) {
            if (Files.isExecutable(Path.of(dir + name))) {
                return dir + name;
            }
        }
        return name;
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
