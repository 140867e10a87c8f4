package io.mqttbackends.runtime.testing;

import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.mutiny.core.Vertx;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This test JVM's share of the shared servers. Every database it creates is named {@code mqb_<pid>_<random>_<n>},
 * so that two test runs on one server (two work trees, CI next to a developer) never open, fill or drop each other's
 * databases; and whatever a test did not close itself (a failed {@code @BeforeAll}, a test JVM stopped by Ctrl-C) is
 * closed when the JVM exits. Only SIGKILL leaves databases behind, which the name then attributes to a process.
 */
public final class TestRun {
    /**
     * {@code mqb_<pid>_<random>}: the pid tells whose it was, the random part keeps runs apart whose pids coincide
     * (another pid namespace, a reused pid).
     */
    public static final String ID = "mqb_" + ProcessHandle.current().pid() + "_"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Set<AutoCloseable> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestRun::closeLeftovers, "test-run-cleanup"));
    }

    private TestRun() {
    }

    /** A database name no other test run uses: lower case letters, digits and underscores, valid everywhere. */
    public static String uniqueName() {
        return ID + "_" + NAMES.incrementAndGet();
    }

    /** Has {@code resource} closed at JVM exit unless {@link #closed} is called for it first. */
    static void closeAtExit(AutoCloseable resource) {
        OPEN.add(resource);
    }

    /** {@code resource} was closed: nothing is left to do for it at exit. */
    static void closed(AutoCloseable resource) {
        OPEN.remove(resource);
    }

    /**
     * A Vert.x for test clients that also starts inside the shutdown hook: by default Vert.x sets up a class-path
     * file cache, which registers a shutdown hook of its own, refused once the JVM is exiting. Test clients resolve no
     * files from the class path.
     */
    static Vertx newVertx() {
        return Vertx.vertx(new VertxOptions().setFileSystemOptions(
                new FileSystemOptions().setClassPathResolvingEnabled(false)));
    }

    private static void closeLeftovers() {
        for (AutoCloseable resource : Set.copyOf(OPEN)) {
            try {
                resource.close();
            } catch (Exception e) {
                // Nothing else can clean up now: say what is left behind, then go on with the rest.
                System.err.println("test-run-cleanup: could not close " + resource + ": " + e);
            }
        }
    }
}
