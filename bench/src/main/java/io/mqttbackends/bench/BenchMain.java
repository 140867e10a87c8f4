package io.mqttbackends.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mqttbackends.bench.store.Store;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The benchmark driver ({@code src/bench/run.sh} starts the broker, database and runtime, then this): per run the
 * broker ceiling, the database ceiling and the end-to-end pass (plus a half-rate pass with {@code --half-rate}),
 * each verified; then the report, as text on stdout and as JSON with {@code --json}. Exit status 1 when any
 * verification failed.
 */
public final class BenchMain {
    /** The end-to-end passes' topics are {@code <prefix>/<publisher>}. */
    public static final String E2E_PREFIX = "bench";
    private static final Pattern PASSWORD_LINE =
            Pattern.compile("(?m)^([ \\t]*backend\\.[^=\\n]*\\.password[ \\t]*=[ \\t]*)\\S.*$");

    private BenchMain() {
    }

    public static void main(String[] args) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Report report = run(options);
        print(report, System.out);
        options.json().ifPresent(path -> write(report, path));
        System.exit("PASS".equals(report.verdict()) ? 0 : 1);
    }

    static Report run(BenchOptions options) {
        String startedAt = Instant.now().toString();
        String loadStart = loadAverage();
        String runId = UUID.randomUUID().toString().substring(0, 8);
        List<Report.Run> runs = new ArrayList<>();
        Report.Rss rss;
        String latencyDefinition;
        try (Store store = Store.open(options); RssSampler sampler = new RssSampler(options.runtimePid())) {
            store.prepare();
            latencyDefinition = store.latencyDefinition();
            if (options.warmup() > 0) {
                progress("warm-up: every pass with %d messages, not reported", options.warmup());
                Report.Run warm = oneRun(options.warmupRun(), store, sampler, runId + "-w", 0);
                if (!warm.endToEnd().verified()) {
                    progress("warm-up stored %d of %d messages", warm.endToEnd().rowsVerified(), options.warmup());
                }
            }
            for (int k = 1; k <= options.repeat(); k++) {
                runs.add(oneRun(options, store, sampler, runId + "-" + k, k));
            }
            rss = new Report.Rss(sampler.highWaterMarkMb(), sampler.sampledPeakMb());
        }
        Report.Medians medians = medians(runs);
        boolean verified = runs.stream().allMatch(r -> r.endToEnd().verified()
                && (r.halfRate() == null || r.halfRate().verified()));
        Report.Targets targets = new Report.Targets(
                medians.endToEndMsgsPerSecond() >= 20_000,
                medians.ratioToLowerCeiling() >= 0.6,
                medians.halfRateP99Ms() == null ? null : medians.halfRateP99Ms() < 50,
                rss.vmHwmMb() == null ? null : rss.vmHwmMb() < 300,
                verified);
        return new Report(options.commandLine(), options.gitCommit(), startedAt, machine(loadStart),
                settings(options, latencyDefinition), runs, medians, rss, targets, verified ? "PASS" : "FAIL");
    }

    private static Report.Run oneRun(BenchOptions options, Store store, RssSampler sampler, String runId, int k) {
        progress("run %s: broker ceiling", label(k, options));
        BrokerCeiling.Result broker = BrokerCeiling.run(options, runId);
        progress("run %s: database ceiling", label(k, options));
        Store.Ceiling db = store.ceiling(new BenchRows(options.messages(), options.publishers(),
                options.payloadBytes(), E2E_PREFIX), options.batchRows(), options.ceilingConnections());
        progress("run %s: end to end", label(k, options));
        Report.EndToEnd e2e = endToEnd(options, store, sampler, runId, options.rate());
        Report.EndToEnd half = null;
        if (options.halfRate()) {
            double rate = e2e.msgsPerSecond() / 2;
            progress("run %s: end to end at half rate (%.0f msgs/s)", label(k, options), rate);
            half = endToEnd(options, store, sampler, runId + "-half", rate);
        }
        double lower = Math.min(broker.msgsPerSecond(), db.rowsPerSecond());
        return new Report.Run(k, broker, db, e2e, half, lower > 0 ? e2e.msgsPerSecond() / lower : 0);
    }

    private static String label(int k, BenchOptions options) {
        return k == 0 ? "warm-up" : k + "/" + options.repeat();
    }

    private static Report.EndToEnd endToEnd(BenchOptions options, Store store, RssSampler sampler, String runId,
            double rate) {
        store.reset();
        Publishers.Result published = Publishers.run(options, E2E_PREFIX, "bench-pub-" + runId, rate,
                new Backlog(options.maxBacklog(), store::count, store.pollMillis()));
        Progress.await("end to end", options, store::count, store.pollMillis());
        Store.Verification v = store.verify();
        long n = options.messages();
        double seconds = (v.lastStoredMicros() - published.firstPublishMicros()) / 1e6;
        boolean verified = v.rows() == n && v.distinctMsgids() == n && v.distinctMessages() == n
                && published.failed() == 0;
        return new Report.EndToEnd(rate, published.acked(), published.failed(), seconds > 0 ? n / seconds : 0,
                v.latency(), Math.min(v.distinctMsgids(), v.distinctMessages()), v.rows(), v.distinctMsgids(),
                v.distinctMessages(), verified, sampler.sampledPeakMb());
    }

    private static Report.Medians medians(List<Report.Run> runs) {
        Function<Function<Report.Run, Double>, Double> median = f -> Medians.of(runs.stream().map(f).toList());
        return new Report.Medians(
                median.apply(r -> r.brokerCeiling().msgsPerSecond()),
                median.apply(r -> r.dbCeiling().rowsPerSecond()),
                median.apply(r -> r.endToEnd().msgsPerSecond()),
                median.apply(r -> r.endToEnd().latency().p50Ms()),
                median.apply(r -> r.endToEnd().latency().p99Ms()),
                median.apply(Report.Run::ratioToLowerCeiling),
                median.apply(r -> r.halfRate() == null ? null : r.halfRate().msgsPerSecond()),
                median.apply(r -> r.halfRate() == null ? null : r.halfRate().latency().p50Ms()),
                median.apply(r -> r.halfRate() == null ? null : r.halfRate().latency().p99Ms()));
    }

    private static Report.Machine machine(String loadStart) {
        String cpu = read(Path.of("/proc/cpuinfo")).lines().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
        long memKb = read(Path.of("/proc/meminfo")).lines().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0L);
        return new Report.Machine(Runtime.getRuntime().availableProcessors(), memKb / 1024, cpu, loadStart,
                loadAverage());
    }

    /** The 1, 5 and 15 minute load averages. */
    public static String loadAverage() {
        String[] fields = read(Path.of("/proc/loadavg")).trim().split("\\s+");
        return fields.length < 3 ? "" : String.join(" ", fields[0], fields[1], fields[2]);
    }

    private static Report.Settings settings(BenchOptions o, String latencyDefinition) {
        Map<String, String> conf = new TreeMap<>();
        o.runtimeConfDir().ifPresent(dir -> {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.toString().endsWith(".conf"))
                        .forEach(f -> conf.put(f.getFileName().toString(), redactPasswords(read(f))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return new Report.Settings(o.db().confName(), o.messages(), o.publishers(), o.payloadBytes(), o.rate(),
                o.halfRate(), o.repeat(), o.warmup(), o.maxBacklog(), Publishers.WINDOW, o.batchRows(), o.ceilingConnections(),
                latencyDefinition, o.brokerConf().map(BenchMain::read).orElse(""), o.runtimeArgs(), conf);
    }

    /** A conf file as the report keeps it: a pool's password (a real database's, given by the user) is not. */
    static String redactPasswords(String conf) {
        return PASSWORD_LINE.matcher(conf).replaceAll("$1(redacted)");
    }

    static void print(Report r, PrintStream out) {
        Report.Settings s = r.settings();
        out.printf("%nMQTT Backends benchmark: %s, %d messages of %d B, QoS 1, %d publishers, rate %s, %d run(s)"
                + " after a warm-up of %d%n", s.db(), s.messages(), s.payloadBytes(), s.publishers(),
                s.rate() > 0 ? fmt(s.rate()) + " msgs/s" : "max", s.repeat(), s.warmup());
        out.printf("  command    %s%n  commit     %s%n", r.commandLine(), r.gitCommit());
        out.printf("  machine    %d cores, %d MB, %s; load %s before, %s after%n", r.machine().nproc(),
                r.machine().memTotalMb(), r.machine().cpuModel(), r.machine().loadavgStart(),
                r.machine().loadavgEnd());
        for (Report.Run run : r.runs()) {
            out.printf("  run %d%n", run.run());
            BrokerCeiling.Result b = run.brokerCeiling();
            out.printf("    broker ceiling     %10s msgs/s   received %d of %d; publish-to-receive p50 %s ms, p99 %s ms%n",
                    fmt(b.msgsPerSecond()), b.received(), s.messages(), ms(b.latency().p50Ms()),
                    ms(b.latency().p99Ms()));
            out.printf("    database ceiling   %10s rows/s   %d rows, %d per round trip, %d connections%n",
                    fmt(run.dbCeiling().rowsPerSecond()), run.dbCeiling().rows(), s.dbCeilingBatchRows(),
                    s.dbCeilingConnections());
            printEndToEnd("end to end", run.endToEnd(), s.messages(), out);
            out.printf("    ratio              %9.1f%% of the lower ceiling%n", 100 * run.ratioToLowerCeiling());
            if (run.halfRate() != null) {
                printEndToEnd("half rate", run.halfRate(), s.messages(), out);
            }
        }
        Report.Medians m = r.medians();
        if (r.runs().size() > 1) {
            out.printf("  medians            broker %s, database %s, end to end %s msgs/s (%.1f%%), p50 %s ms, p99 %s ms"
                    + "; half rate %s msgs/s p50 %s ms, p99 %s ms%n", fmt(m.brokerCeilingMsgsPerSecond()),
                    fmt(m.dbCeilingRowsPerSecond()), fmt(m.endToEndMsgsPerSecond()),
                    100 * m.ratioToLowerCeiling(), ms(m.endToEndP50Ms()), ms(m.endToEndP99Ms()),
                    fmt(m.halfRateMsgsPerSecond()), ms(m.halfRateP50Ms()), ms(m.halfRateP99Ms()));
        }
        out.printf("  runtime RSS        VmHWM %s MB, sampled peak %s MB%n", mb(r.runtimeRss().vmHwmMb()),
                mb(r.runtimeRss().sampledPeakMb()));
        out.printf("  latency            %s%n", s.latencyDefinition());
        Report.Targets t = r.targets();
        out.printf("  targets            >=20000 msgs/s %s, >=60%% of lower ceiling %s, p99<50 ms at half rate %s,"
                + " RSS<300 MB %s%n", yes(t.atLeast20000MsgsPerSecond()), yes(t.atLeast60PercentOfLowerCeiling()),
                yes(t.p99Under50MsAtHalfRate()), yes(t.rssUnder300Mb()));
        out.printf("  %s%s%n", r.verdict(), "PASS".equals(r.verdict()) ? ": every message stored exactly once"
                : ": rows do not match the messages published (see rows verified above)");
    }

    private static void printEndToEnd(String label, Report.EndToEnd e, long n, PrintStream out) {
        out.printf("    %-18s %10s msgs/s   publish-to-row p50 %s ms, p99 %s ms, max %s ms%s%n", label,
                fmt(e.msgsPerSecond()), ms(e.latency().p50Ms()), ms(e.latency().p99Ms()), ms(e.latency().maxMs()),
                e.targetRate() > 0 ? " (publishing at " + fmt(e.targetRate()) + " msgs/s)" : "");
        out.printf("    rows verified      %10d of %d (rows %d, distinct msgids %d, distinct messages %d,"
                + " publish failures %d) %s%n", e.rowsVerified(), n, e.rows(),
                e.distinctMsgids(), e.distinctMessages(), e.publishFailures(), e.verified() ? "OK" : "FAIL");
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format("%,.0f", v);
    }

    private static String ms(Double v) {
        return v == null ? "-" : String.format("%.2f", v);
    }

    private static String mb(Long v) {
        return v == null ? "-" : v.toString();
    }

    private static String yes(Boolean b) {
        return b == null ? "not measured" : b ? "met" : "NOT met";
    }

    /** The report's JSON form: snake_case keys, indented. */
    public static ObjectMapper json() {
        return new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    private static void write(Report report, Path path) {
        try {
            json().writeValue(path.toFile(), report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void progress(String format, Object... args) {
        System.err.printf("bench: " + format + "%n", args);
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            return "";
        }
    }
}
