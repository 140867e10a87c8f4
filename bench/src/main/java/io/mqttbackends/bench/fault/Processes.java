package io.mqttbackends.bench.fault;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** Starting, stopping and finding the harness's child processes and their ports. */
final class Processes {
    private Processes() {
    }

    /**
     * Starts a child with its output appended to {@code log}, and writes its pid to {@code <log>.pid}: if the
     * harness itself dies, {@code src/fault/run.sh} kills what those files name.
     */
    static Process start(List<String> command, Path log) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Files.writeString(log.resolveSibling(log.getFileName() + ".pid"), Long.toString(p.pid()));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0), e);
        }
    }

    /** Runs a command to its end (at most {@code timeoutSeconds}); its output goes to {@code log}; fails on non-zero. */
    static void run(List<String> command, Path log, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds
                        + " s; see " + log);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue()
                        + "; see " + log + ":\n" + tail(log, 10));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.get(0), e);
        }
    }

    /** Waits for a process to exit; SIGKILL after {@code seconds}. Returns its exit status. */
    static int awaitExit(Process p, int seconds) {
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return -1;
        }
    }

    /**
     * A port below the kernel's ephemeral range (32768+, where outgoing connections take theirs: a server
     * restarted on a port an outgoing connection took meanwhile would fail to bind) that nothing answers on.
     */
    static int freePort() {
        while (true) {
            int p = ThreadLocalRandom.current().nextInt(20000, 32000);
            if (!open(p)) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress("127.0.0.1", p));
                    return p;
                } catch (IOException e) {
                    // taken: try another
                }
            }
        }
    }

    static boolean open(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits for a port to accept connections while {@code p} lives. */
    static void awaitPort(String what, int port, Process p, Path log, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!open(port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not open port " + port + "; its log " + log
                        + " ends with:\n" + tail(log, 15));
            }
            LockSupport.parkNanos(50_000_000L);
        }
    }

    /** Lines of {@code file} from byte {@code from} on that {@code keep} accepts, at most {@code max}, each cut at 400. */
    static List<String> linesAfter(Path file, long from, Predicate<String> keep, int max) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.min(from, f.length());
            f.seek(start);
            byte[] rest = new byte[(int) Math.min(f.length() - start, 64L << 20)];
            f.readFully(rest);
            return new String(rest, StandardCharsets.UTF_8).lines().filter(keep)
                    .map(l -> l.length() > 400 ? l.substring(0, 400) + "..." : l).limit(max).toList();
        } catch (IOException e) {
            return List.of("(" + file + " unreadable: " + e.getMessage() + ")");
        }
    }

    static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void sleepSeconds(double seconds) {
        LockSupport.parkNanos((long) (seconds * 1e9));
    }

    /** Whether this harness runs as root (servers then run as their own users). */
    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }
}
