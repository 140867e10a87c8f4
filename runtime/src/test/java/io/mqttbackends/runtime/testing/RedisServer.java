package io.mqttbackends.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A private {@code redis-server} (Debian's {@code /usr/bin/redis-server}) on a free loopback port, for tests that stop
 * and restart Redis or need a sentinel, without touching the shared server on 6379. Data is kept in an append-only
 * file synced on every write, so a restart keeps what was written before it. A missing binary fails the test; a
 * server still running at JVM exit is stopped then ({@link TestRun}).
 */
public final class RedisServer implements AutoCloseable {
    public static final String BINARY = "/usr/bin/redis-server";
    private static final Duration START = Duration.ofSeconds(20);

    private final int port;
    private final Path dir;
    private final List<String> extraArgs;
    private Process process;

    private RedisServer(int port, Path dir, List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.extraArgs = extraArgs;
    }

    /** Starts a server on a free port. */
    public static RedisServer start(String... extraArgs) {
        return start(FreePort.find(), extraArgs);
    }

    /** Starts a server on {@code port}. */
    public static RedisServer start(int port, String... extraArgs) {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's redis-server package");
        }
        try {
            RedisServer server = new RedisServer(port, Files.createTempDirectory("mqttbackends-redis-" + port),
                    List.of(extraArgs));
            TestRun.closeAtExit(server);
            server.up();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A sentinel on a free port monitoring {@code master} under {@code masterName}, quorum 1, with short timeouts.
     */
    public static RedisServer sentinel(RedisServer master, String masterName) {
        int port = FreePort.find();
        try {
            Path dir = Files.createTempDirectory("mqttbackends-sentinel-" + port);
            Path conf = dir.resolve("sentinel.conf");
            Files.writeString(conf, String.join("\n",
                    "port " + port,
                    "bind 127.0.0.1",
                    "dir " + dir,
                    "sentinel monitor " + masterName + " 127.0.0.1 " + master.port() + " 1",
                    "sentinel down-after-milliseconds " + masterName + " 2000",
                    "sentinel failover-timeout " + masterName + " 10000", ""));
            RedisServer sentinel = new RedisServer(port, dir, List.of(conf.toString(), "--sentinel"));
            TestRun.closeAtExit(sentinel);
            sentinel.up();
            return sentinel;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A Redis Cluster of {@code masters} private servers (no replicas), slots assigned by {@code redis-cli --cluster
     * create}; returns once every node reports {@code cluster_state:ok}.
     */
    public static List<RedisServer> cluster(int masters) {
        List<RedisServer> nodes = new ArrayList<>();
        for (int i = 0; i < masters; i++) {
            nodes.add(start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "2000"));
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/redis-cli", "--cluster", "create"));
        nodes.forEach(n -> command.add("127.0.0.1:" + n.port()));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        try {
            Process create = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(nodes.get(0).dir.resolve("cluster-create.log").toFile()).start();
            if (!create.waitFor(START.toSeconds(), TimeUnit.SECONDS) || create.exitValue() != 0) {
                String log = Files.readString(nodes.get(0).dir.resolve("cluster-create.log"));
                nodes.forEach(RedisServer::close);
                throw new IllegalStateException("redis-cli --cluster create failed:\n" + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        for (RedisServer node : nodes) {
            Awaitility.await().atMost(START).until(() -> node.cli("CLUSTER", "INFO").contains("cluster_state:ok"));
        }
        return nodes;
    }

    /** Runs one command through {@code redis-cli} against this server and returns its output. */
    public String cli(String... args) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/redis-cli", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor(START.toSeconds(), TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return port;
    }

    /** Starts the process (again) and waits until the port accepts connections. */
    public synchronized void up() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(BINARY);
        if (!extraArgs.isEmpty() && extraArgs.get(extraArgs.size() - 1).equals("--sentinel")) {
            command.addAll(extraArgs);
        } else {
            command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                    "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no"));
            command.addAll(extraArgs);
        }
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Awaitility.await().atMost(START).ignoreExceptions().until(this::accepts);
    }

    /** Stops the process (SIGTERM; Redis flushes its append-only file) and waits for the port to close. */
    public synchronized void down() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(START.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(START.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private boolean accepts() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the server and removes its data directory; a second call does nothing. */
    @Override
    public synchronized void close() {
        down();
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        TestRun.closed(this);
    }

    @Override
    public String toString() {
        return "redis-server on port " + port;
    }
}
