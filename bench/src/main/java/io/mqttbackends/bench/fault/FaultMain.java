package io.mqttbackends.bench.fault;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import io.mqttbackends.bench.BenchMain;
import io.mqttbackends.bench.BenchPayload;
import io.mqttbackends.bench.EpochMicros;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The fault-injection command ({@code src/fault/run.sh} builds and starts this): starts a private PostgreSQL
 * cluster, a private Mosquitto with persistence and the runtime, then runs each case under a steady load of
 * numbered QoS 1 messages, injects its fault, lifts it, checks every acknowledged message against {@code mqtt_msg}
 * and prints one JSON object per case on stdout (and into {@code --json}). Exit status 1 when a case is not ok.
 */
public final class FaultMain {
    static final String RUNTIME_CLIENT_ID = "fault-runtime";
    private static final String TOPIC_ROOT = "fault";

    private final FaultOptions options;
    private final PrivatePostgres postgres;
    private final PrivateBroker broker;
    private final RuntimeProcess runtime;
    private FaultDb db;
    private final AtomicBoolean closed = new AtomicBoolean();

    private FaultMain(FaultOptions options) {
        this.options = options;
        Path work = options.work();
        this.postgres = new PrivatePostgres(options.pgBin(), work, Processes.freePort());
        this.broker = new PrivateBroker(work, Processes.freePort());
        int httpPort = Processes.freePort();
        this.runtime = new RuntimeProcess(runtimeCommand(options, work, broker.port(), httpPort), work, httpPort);
    }

    public static void main(String[] args) {
        FaultOptions options;
        try {
            options = FaultOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("fault: " + e.getMessage());
            System.exit(2);
            return;
        }
        FaultMain main = new FaultMain(options);
        Runtime.getRuntime().addShutdownHook(new Thread(main::close, "fault-cleanup"));
        boolean ok;
        try {
            ok = main.run();
        } catch (RuntimeException e) {
            System.err.println("fault: " + e.getMessage());
            e.printStackTrace();
            ok = false;
        } finally {
            main.close();
        }
        System.exit(ok ? 0 : 1);
    }

    private boolean run() {
        long started = System.nanoTime();
        progress("%s (commit %s)", options.commandLine(), options.gitCommit());
        progress("private PostgreSQL on port %d, Mosquitto on port %d; work directory %s", postgres.port(),
                broker.port(), options.work());
        postgres.init();
        postgres.start();
        broker.start();
        writeConf();
        runtime.start();
        db = new FaultDb(postgres.port());
        db.prepare();
        List<CaseResult> results = new ArrayList<>();
        boolean previousFailed = false;
        for (FaultCase c : options.cases()) {
            int runs = c == FaultCase.BROKER_KILL ? options.brokerKillRuns() : 1;
            for (int run = 1; run <= runs; run++) {
                long elapsed = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
                CaseResult r;
                if (elapsed + options.caseBoundSeconds() > options.budgetSeconds()) {
                    r = CaseResult.skipped(c, run, "the overall budget (--budget " + options.budgetSeconds()
                            + " s) would be exceeded: " + elapsed + " s spent, a case may take "
                            + options.caseBoundSeconds() + " s");
                } else {
                    progress("case %s, run %d", c.id(), run);
                    r = runCase(c, run, previousFailed);
                }
                previousFailed = r.skipped() == null && !Boolean.TRUE.equals(r.ok());
                results.add(r);
                emit(r);
            }
        }
        return results.stream().allMatch(r -> r.skipped() != null || Boolean.TRUE.equals(r.ok()));
    }

    /**
     * @param restart the previous case was not ok: the runtime is restarted first, since it may be ready and still
     *     store nothing (a broker case that lost its subscriptions), which would fail this case too
     */
    private CaseResult runCase(FaultCase c, int run, boolean restart) {
        String tag = c.id() + "-" + run;
        String prefix = TOPIC_ROOT + "/" + tag;
        List<String> notes = new ArrayList<>();
        db.truncate();
        if (restart) {
            notes.add("the runtime was restarted (SIGTERM) before this case: the previous case was not ok");
            runtime.terminate();
            runtime.start();
        } else if (!runtime.awaitReady(30)) {
            notes.add("the runtime was not ready before the case: restarted by the command");
            runtime.kill();
            runtime.start();
        }
        if (c == FaultCase.BROKER_KILL_STALE) {
            saveSessionWithoutSubscriptions();
        }
        runtime.startCase();
        int startsBefore = runtime.starts();
        String startedAt = Instant.now().toString();
        try (ReadinessWatch watch = new ReadinessWatch(runtime)) {
            long loadStart = System.nanoTime();
            SteadyLoad load = new SteadyLoad("127.0.0.1", broker.port(), prefix, "fault-pub-" + tag,
                    options.publishers(), options.rate(), options.payloadBytes(), options.caseSeconds() + 1);
            sleepUntil(loadStart, options.faultAfterSeconds(), notes);
            RuntimeProcess.LogMark mark = runtime.mark();
            long brokerLogMark = Processes.size(broker.log());
            Instant savedBefore = broker.savedAt();
            long faultAt = EpochMicros.now();
            Injected injected = inject(c, prefix);
            long lifted = injected.liftedMicros();
            sleepUntil(loadStart, options.caseSeconds(), notes);
            List<SteadyLoad.Log> logs = load.stop();
            long sent = logs.stream().mapToLong(SteadyLoad.Log::ackedCount).sum();
            drain(prefix, sent, notes);
            boolean brokerCase = c == FaultCase.BROKER_RESTART || c == FaultCase.BROKER_KILL
                    || c == FaultCase.BROKER_KILL_STALE;
            Long reconnect = brokerCase ? watch.readyAfter(lifted) : null;
            if (brokerCase && reconnect == null) {
                notes.add("the runtime was not ready again after the broker came back");
            }
            Tally t = Tally.of(logs, db.stored(prefix), lifted, reconnect != null ? reconnect : lifted);
            long now = EpochMicros.now();
            boolean readyAtEnd = runtime.ready();
            Long readyMicros = injected.readyMicros() != null ? injected.readyMicros() : reconnect;
            CaseResult.Broker brokerDetail = !brokerCase ? null : new CaseResult.Broker(
                    savedBefore == null ? null : savedBefore.toString(), t.sentAfterCut(), t.storedAfterCut(),
                    t.lostAfterCut(), Processes.linesAfter(broker.log(), brokerLogMark,
                            l -> l.contains(RUNTIME_CLIENT_ID) || l.contains("mosquitto version")
                                    || l.contains("Restored") || l.contains("Saving"), 30));
            CaseResult.Large largeDetail = c != FaultCase.LARGE_BURST ? null : new CaseResult.Large(
                    options.largeCount(), options.largeBytes(), injected.largeAcked(), db.rows(prefix + "/large"),
                    runtime.count(mark, "OutOfMemoryError"), runtime.starts() - startsBefore);
            boolean ok = switch (c) {
                case BROKER_KILL, BROKER_KILL_STALE -> t.lostAfterCut() == 0 && reconnect != null;
                case LARGE_BURST -> t.lost() == 0 && t.stored() >= t.sent() && readyAtEnd;
                default -> t.lost() == 0 && t.stored() >= t.sent();
            };
            return new CaseResult(c.id(), run, startedAt, c.expectNoLoss(), ok, options.rate(),
                    options.faultAfterSeconds(), seconds(lifted - faultAt), t.sent(), t.failed(), failureReasons(logs), t.unconfirmed(),
                    t.stored(), t.storedUnacked(), t.lost(), t.duplicated(), t.rows(),
                    since(faultAt, t.firstRowAfterMicros()), since(faultAt, t.drainedMicros()),
                    since(faultAt, readyMicros), round(watch.notReadySeconds(now)), runtime.peakRssMb(),
                    runtime.starts() - startsBefore, readyAtEnd, BenchMain.loadAverage(),
                    t.firstLostMicros() == null ? List.of()
                            : List.of(since(faultAt, t.firstLostMicros()), since(faultAt, t.lastLostMicros())),
                    t.lostSample(), brokerDetail, largeDetail, notes, runtime.linesSince(mark), null);
        }
    }

    /**
     * When the fault was lifted (epoch µs) and, for the runtime cases, when the restarted runtime was ready; the
     * large burst's acknowledged count.
     */
    private record Injected(long liftedMicros, Long readyMicros, long largeAcked) {
        static Injected lifted() {
            return new Injected(EpochMicros.now(), null, 0);
        }
    }

    private Injected inject(FaultCase c, String prefix) {
        int outage = options.outageSeconds();
        switch (c) {
            case RUNTIME_KILL, RUNTIME_TERM -> {
                if (c == FaultCase.RUNTIME_KILL) {
                    runtime.kill();
                } else {
                    int status = runtime.terminate();
                    progress("runtime exited with status %d after SIGTERM", status);
                }
                long lifted = EpochMicros.now();
                runtime.start();
                return new Injected(lifted, EpochMicros.now(), 0);
            }
            case DB_RESTART -> {
                postgres.stop();
                Processes.sleepSeconds(outage);
                postgres.start();
                return Injected.lifted();
            }
            case DB_HANG -> {
                FaultDb.Lock lock = db.lock();
                Processes.sleepSeconds(outage);
                lock.release();
                return Injected.lifted();
            }
            case BROKER_RESTART -> {
                broker.stop();
                Processes.sleepSeconds(outage);
                broker.start();
                return Injected.lifted();
            }
            case BROKER_KILL, BROKER_KILL_STALE -> {
                broker.kill();
                Processes.sleepSeconds(outage);
                broker.start();
                return Injected.lifted();
            }
            case LARGE_BURST -> {
                long acked = publishLarge(prefix + "/large");
                return new Injected(EpochMicros.now(), null, acked);
            }
            default -> throw new IllegalStateException("no fault for " + c);
        }
    }

    /**
     * Leaves on Mosquitto's disk a session of the runtime's client id without subscriptions, and the runtime
     * running, subscribed, on that session: the runtime stops (SIGTERM), a client under its id replaces its session
     * with an empty one and leaves, the broker restarts gracefully (saving that session), and the runtime starts again and subscribes.
     * Nothing is saved after that until the case kills the broker.
     */
    private void saveSessionWithoutSubscriptions() {
        runtime.terminate();
        Mqtt5AsyncClient stand = MqttClient.builder().useMqttVersion5().identifier(RUNTIME_CLIENT_ID)
                .serverHost("127.0.0.1").serverPort(broker.port()).buildAsync();
        // first away with the runtime's session, then a new one without clean start: Mosquitto 2.0 does not save
        // a session that began with clean start
        stand.connectWith().cleanStart(true).sessionExpiryInterval(0).send().join();
        stand.disconnect().join();
        stand.connectWith().cleanStart(false).sessionExpiryInterval(600).send().join();
        stand.disconnect().join();
        broker.stop();
        broker.start();
        runtime.start();
    }

    /**
     * Publishes the large messages at once (QoS 1), each from a client of its own; returns how many the broker
     * acknowledged within 2 minutes. One client each because Mosquitto 2.0.11 answers a publish over its
     * {@code message_size_limit} with PUBACK reason 0x95, which MQTT 5 does not allow in a PUBACK, and the HiveMQ
     * client drops the connection on it: the publishes after it on the same client would fail for that reason.
     */
    private long publishLarge(String topic) {
        List<Mqtt5AsyncClient> clients = new ArrayList<>();
        List<CompletableFuture<Mqtt5PublishResult>> results = new ArrayList<>();
        for (int i = 0; i < options.largeCount(); i++) {
            Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5().identifier("fault-large-" + i)
                    .serverHost("127.0.0.1").serverPort(broker.port()).buildAsync();
            clients.add(client);
            byte[] payload = BenchPayload.encode(EpochMicros.now(), i, options.largeBytes());
            results.add(client.connectWith().cleanStart(true).send().thenCompose(connected -> client.publishWith()
                    .topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()));
        }
        long acked = 0;
        Map<String, Integer> failures = new TreeMap<>();
        for (CompletableFuture<Mqtt5PublishResult> r : results) {
            try {
                if (r.get(120, TimeUnit.SECONDS).getError().isEmpty()) {
                    acked++;
                }
            } catch (Exception e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                failures.merge(cause.getClass().getSimpleName(), 1, Integer::sum);
            }
        }
        if (!failures.isEmpty()) {
            progress("large publishes not acknowledged (a broker refusing them drops the connection): %s", failures);
        }
        clients.forEach(client -> client.disconnect().exceptionally(ignored -> null));
        return acked;
    }

    /**
     * Waits for the rows to catch up with what was acknowledged: done when at least {@code sent} distinct messages
     * are stored and the count held for a second, or when it has not moved for 20 s, or after {@code
     * --drain-timeout}. A runtime that exited meanwhile is started again, as an orchestrator would.
     */
    private void drain(String prefix, long sent, List<String> notes) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.drainSeconds());
        long last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            supervise(notes);
            long now;
            try {
                now = db.distinctStored(prefix);
            } catch (IllegalStateException e) {
                LockSupport.parkNanos(500_000_000L);
                continue;
            }
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            } else if (now >= sent && System.nanoTime() - lastChange > 1_000_000_000L) {
                return;
            } else if (System.nanoTime() - lastChange > 20_000_000_000L) {
                notes.add("rows stopped at " + now + " distinct messages of " + sent + " sent for 20 s");
                return;
            }
            LockSupport.parkNanos(250_000_000L);
        }
        notes.add("rows did not catch up within --drain-timeout " + options.drainSeconds() + " s");
    }

    private void sleepUntil(long startNanos, int seconds, List<String> notes) {
        long until = startNanos + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < until) {
            supervise(notes);
            LockSupport.parkNanos(Math.min(500_000_000L, Math.max(0, until - System.nanoTime())));
        }
    }

    /** An exited runtime is started again (an orchestrator's restart), and the case says so. */
    private void supervise(List<String> notes) {
        if (!runtime.alive()) {
            notes.add("the runtime exited on its own at " + Instant.now() + ": restarted by the command");
            try {
                runtime.start();
            } catch (IllegalStateException e) {
                notes.add("its restart failed: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
    }

    private static List<String> runtimeCommand(FaultOptions o, Path work, int mqttPort, int httpPort) {
        Path conf = work.resolve("conf");
        try {
            Files.createDirectories(conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(o.runtimeJvmArgs());
        command.addAll(List.of("-Dmqttbackends.conf-dir=" + conf, "-Dmqttbackends.mqtt.host=127.0.0.1",
                "-Dmqttbackends.mqtt.port=" + mqttPort, "-Dmqttbackends.mqtt.client-id=" + RUNTIME_CLIENT_ID,
                "-Dmqttbackends.mqtt.session-expiry=PT10M", "-Dmqttbackends.ingest.raw.topics=" + TOPIC_ROOT + "/#",
                "-Dmqttbackends.ingest.emqx-rule.enabled=false", "-Dmqttbackends.ingest.emqx-sys.enabled=false",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + httpPort, "-jar",
                o.runtimeJar().toString()));
        return command;
    }

    /** The runtime's conf: one PostgreSQL pool on the private cluster, every message stored. */
    private void writeConf() {
        try {
            Files.writeString(options.work().resolve("conf").resolve("emqx_backend_pgsql.conf"), """
                    backend.pgsql.pool1.server = 127.0.0.1:%d
                    backend.pgsql.pool1.pool_size = 4
                    backend.pgsql.pool1.username = %s
                    backend.pgsql.pool1.password =
                    backend.pgsql.pool1.database = %s
                    backend.pgsql.pool1.schema.init = true
                    backend.pgsql.hook.message.publish.1 = {"topic": "#", "action": {"function": "on_message_publish"}, "pool": "pool1"}
                    """.formatted(postgres.port(), PrivatePostgres.USER, PrivatePostgres.DATABASE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void emit(CaseResult r) {
        String line;
        try {
            line = BenchMain.json().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println(line);
        System.out.flush();
        options.json().ifPresent(path -> {
            try {
                Files.writeString(path, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable c : new AutoCloseable[] {runtime, db, broker, postgres}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("fault: cleanup: " + e.getMessage());
            }
        }
    }

    private static Map<String, Long> failureReasons(List<SteadyLoad.Log> logs) {
        Map<String, Long> all = new TreeMap<>();
        logs.forEach(l -> l.failureReasons().forEach((k, v) -> all.merge(k, v, Long::sum)));
        return all;
    }

    private static Double since(long fromMicros, Long micros) {
        return micros == null ? null : round(Math.max(0, micros - fromMicros) / 1e6);
    }

    private static double seconds(long micros) {
        return round(micros / 1e6);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 100) / 100.0;
    }

    private static void progress(String format, Object... args) {
        System.err.printf("fault: " + format + "%n", args);
    }
}
