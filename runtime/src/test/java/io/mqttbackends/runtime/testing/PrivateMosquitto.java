package io.mqttbackends.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto of the test's own on a free loopback port, configured as the benchmark's ({@code src/bench/run.sh}) and
 * as test-servers.md "Broker queue limits drop messages" asks of a no-loss test: {@code max_queued_messages 0}
 * (unbounded: the default 1000 drops QoS 1 messages for a session that falls behind or is away),
 * {@code max_inflight_messages 200} (never 0: with 0, Mosquitto 2.0 itself redelivered and a 20,000-message run stored
 * 20,301 rows, docs/operations.md), {@code persistence false}. Its log goes to {@code mosquitto.log} in the
 * given directory.
 *
 * <p>{@link #builder} adds a TLS listener, a password file and persistence; {@link #kill} and {@link #restart} stop it
 * with SIGKILL and start it again on the same port, conf and persistence file.
 */
public final class PrivateMosquitto implements AutoCloseable {
    private final Path conf;
    private final int port;
    private final Path log;
    private volatile Process process;

    private PrivateMosquitto(Path conf, int port, Path log) {
        this.conf = conf;
        this.port = port;
        this.log = log;
    }

    /** Starts it with its conf and log in {@code dir} and waits (10 s at most) until it accepts connections. */
    public static PrivateMosquitto start(Path dir) {
        return builder(dir).start();
    }

    /**
     * Starts it as {@link #start(Path)} does, but with access control: no anonymous clients, the users of
     * {@code passwords} (name to password) and the rules of {@code acl} (Mosquitto's acl_file syntax).
     */
    public static PrivateMosquitto startWithAccessControl(Path dir, Map<String, String> passwords, String acl) {
        return builder(dir).users(passwords).acl(acl).start();
    }

    /**
     * As {@link #start(Path)}, with {@code extraLines} after its configuration (a later line of the same option
     * wins, e.g. {@code max_inflight_messages 20}, Mosquitto's default, or {@code message_size_limit 1000000}).
     */
    public static PrivateMosquitto start(Path dir, List<String> extraLines) {
        return builder(dir).lines(extraLines).start();
    }

    /** A broker to configure further before {@link Builder#start}. */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** What the broker's conf holds beyond the defaults of {@link PrivateMosquitto}. */
    public static final class Builder {
        private final Path dir;
        private final List<String> lines = new ArrayList<>();
        private boolean anonymous = true;
        private boolean persistence;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /**
         * A TLS listener (in place of plain TCP) with the CA that signs accepted client certificates, the server's
         * certificate and key; with {@code requireCertificate} a client must present a certificate that CA signed.
         */
        public Builder tls(Path caFile, Path certFile, Path keyFile, boolean requireCertificate) {
            lines.add("cafile " + caFile.toAbsolutePath());
            lines.add("certfile " + certFile.toAbsolutePath());
            lines.add("keyfile " + keyFile.toAbsolutePath());
            lines.add("require_certificate " + requireCertificate);
            return this;
        }

        /** Only {@code user} with {@code password} may connect (a password file made by {@code mosquitto_passwd}). */
        public Builder user(String user, String password) {
            return users(Map.of(user, password));
        }

        /** Only these users (name to password) may connect (a password file made by {@code mosquitto_passwd}). */
        public Builder users(Map<String, String> passwords) {
            Path file = dir.resolve("passwords");
            try {
                Files.createDirectories(dir);
                Files.writeString(file, "");
                for (Map.Entry<String, String> user : passwords.entrySet()) {
                    run(List.of(executable("mosquitto_passwd"), "-b", file.toString(), user.getKey(),
                            user.getValue()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            lines.add("password_file " + file.toAbsolutePath());
            anonymous = false;
            return this;
        }

        /** Lines of Mosquitto's conf after the defaults (a later line of the same option wins). */
        public Builder lines(List<String> extraLines) {
            lines.addAll(extraLines);
            return this;
        }

        /** Access rules in Mosquitto's {@code acl_file} syntax. */
        public Builder acl(String rules) {
            Path file = dir.resolve("acl");
            try {
                Files.createDirectories(dir);
                Files.writeString(file, rules);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            lines.add("acl_file " + file.toAbsolutePath());
            return this;
        }

        /**
         * Sessions and messages saved in {@code mosquitto.db} in the directory every {@code autosaveSeconds} (and at a
         * clean stop), and restored by the next start.
         */
        public Builder persistence(int autosaveSeconds) {
            persistence = true;
            lines.add("persistence_location " + dir.toAbsolutePath() + "/");
            lines.add("autosave_interval " + autosaveSeconds);
            return this;
        }

        /** Starts it and waits (10 s at most) until it accepts connections. */
        public PrivateMosquitto start() {
            int port = FreePort.find();
            try {
                Files.createDirectories(dir);
                Path conf = dir.resolve("mosquitto.conf");
                List<String> all = new ArrayList<>(List.of(
                        "listener " + port + " 127.0.0.1",
                        // started as root, Mosquitto would switch to the user "mosquitto", which may not read the
                        // test's files nor write its persistence file; as anyone else it keeps its user anyway
                        "user " + System.getProperty("user.name"),
                        "allow_anonymous " + anonymous,
                        "persistence " + persistence,
                        "max_queued_messages 0",
                        "max_inflight_messages 200",
                        "set_tcp_nodelay true",
                        "log_dest stderr",
                        "log_type error",
                        "log_type warning",
                        "log_type notice",
                        "log_type information"));
                all.addAll(lines);
                all.add("");
                Files.writeString(conf, String.join("\n", all));
                PrivateMosquitto broker = new PrivateMosquitto(conf, port, dir.resolve("mosquitto.log"));
                broker.launch();
                return broker;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void launch() {
        try {
            process = new ProcessBuilder(binary(), "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!accepts()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    close();
                    throw new IllegalStateException("mosquitto did not open port " + port + ": " + log());
                }
                Thread.sleep(50);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " failed: " + output);
            }
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

    /** Everything it logged, over all its starts. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGKILL, as a crash: nothing is saved since the last autosave. Returns once the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("mosquitto on port " + port + " survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts it again, after {@link #kill} or {@link #close}, on the same port with the same conf and files. */
    public void restart() {
        launch();
    }

    @Override
    public void close() {
        Process current = process;
        current.destroy();
        try {
            if (!current.waitFor(10, TimeUnit.SECONDS)) {
                current.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
