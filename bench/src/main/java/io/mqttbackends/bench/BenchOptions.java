package io.mqttbackends.bench;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * What to run and against what. The user-facing options are docs/benchmark.md's; the rest are passed by
 * {@code src/bench/run.sh}, which starts the broker, the database and the runtime.
 *
 * @param rate total publish rate in msgs/s across all publishers; 0 = as fast as possible
 * @param warmup messages of an unreported first run of every pass, so that the JIT of the runtime and of this
 *     driver has compiled the hot paths before anything is measured; 0 = none
 * @param maxBacklog how many messages the publishers may be ahead of the consumer (see {@link Backlog})
 * @param runtimePid the runtime's process id, for its memory figures; 0 = not measured
 */
public record BenchOptions(
        Database db,
        long messages,
        int publishers,
        int payloadBytes,
        double rate,
        boolean halfRate,
        int repeat,
        long warmup,
        long maxBacklog,
        Optional<Path> json,
        String mqttHost,
        int mqttPort,
        String dbHost,
        int dbPort,
        String dbName,
        String dbUser,
        String dbPassword,
        int batchRows,
        int ceilingConnections,
        int stallSeconds,
        long runtimePid,
        String commandLine,
        String gitCommit,
        Optional<Path> brokerConf,
        Optional<Path> runtimeConfDir,
        String runtimeArgs) {

    /** The warm-up run: {@link #warmup()} messages in every pass the measured runs have. */
    public BenchOptions warmupRun() {
        return new BenchOptions(db, warmup, publishers, payloadBytes, rate, halfRate, 1, 0, maxBacklog, json, mqttHost,
                mqttPort, dbHost, dbPort, dbName, dbUser, dbPassword, batchRows, ceilingConnections, stallSeconds,
                runtimePid, commandLine, gitCommit, brokerConf, runtimeConfDir, runtimeArgs);
    }

    /** The databases the benchmark can drive, by their conf name. */
    public enum Database {
        PGSQL(5432), MYSQL(3306), REDIS(6379), MONGO(27017), CASSANDRA(9042);

        final int defaultPort;

        Database(int defaultPort) {
            this.defaultPort = defaultPort;
        }

        public String confName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static BenchOptions parse(String... args) {
        Database db = Database.PGSQL;
        long messages = 200_000;
        int publishers = 4;
        int payload = 256;
        double rate = 0;
        boolean halfRate = false;
        int repeat = 1;
        long warmup = 50_000;
        long maxBacklog = 50_000;
        Path json = null;
        String mqttHost = "127.0.0.1";
        int mqttPort = 1883;
        String dbHost = "127.0.0.1";
        Integer dbPort = null;
        String dbName = "mqttbackends_bench";
        String dbUser = null;
        String dbPassword = "";
        int batchRows = 500;
        int connections = 4;
        int stall = 60;
        long pid = 0;
        String commandLine = "";
        String gitCommit = "";
        Path brokerConf = null;
        Path confDir = null;
        String runtimeArgs = "";
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--half-rate")) {
                halfRate = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--db" -> db = database(value);
                case "--messages" -> messages = positiveLong(option, value);
                case "--publishers" -> publishers = positiveInt(option, value);
                case "--payload" -> payload = positiveInt(option, value);
                case "--rate" -> rate = nonNegative(option, value);
                case "--repeat" -> repeat = positiveInt(option, value);
                case "--warmup" -> warmup = (long) nonNegative(option, value);
                case "--max-backlog" -> maxBacklog = positiveLong(option, value);
                case "--json" -> json = Path.of(value);
                case "--mqtt-host" -> mqttHost = value;
                case "--mqtt-port" -> mqttPort = positiveInt(option, value);
                case "--db-host" -> dbHost = value;
                case "--db-port" -> dbPort = positiveInt(option, value);
                case "--db-name" -> dbName = value;
                case "--db-user" -> dbUser = value;
                case "--db-password" -> dbPassword = value;
                case "--batch-rows" -> batchRows = positiveInt(option, value);
                case "--ceiling-connections" -> connections = positiveInt(option, value);
                case "--stall-seconds" -> stall = positiveInt(option, value);
                case "--runtime-pid" -> pid = positiveLong(option, value);
                case "--command-line" -> commandLine = value;
                case "--git-commit" -> gitCommit = value;
                case "--broker-conf" -> brokerConf = Path.of(value);
                case "--runtime-conf-dir" -> confDir = Path.of(value);
                case "--runtime-args" -> runtimeArgs = value;
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (payload < BenchPayload.HEADER_BYTES) {
            throw new IllegalArgumentException("--payload " + payload + ": at least " + BenchPayload.HEADER_BYTES
                    + " bytes (the publish time and sequence header)");
        }
        if (messages < publishers) {
            throw new IllegalArgumentException("--messages " + messages + " is fewer than --publishers " + publishers);
        }
        if (dbUser == null) {
            dbUser = switch (db) {
                case MYSQL -> "root";
                case PGSQL, REDIS -> "postgres";
                case MONGO, CASSANDRA -> "";
            };
        }
        if (warmup > 0 && warmup < publishers) {
            throw new IllegalArgumentException("--warmup " + warmup + " is fewer than --publishers " + publishers);
        }
        return new BenchOptions(db, messages, publishers, payload, rate, halfRate, repeat, warmup, maxBacklog,
                Optional.ofNullable(json),
                mqttHost, mqttPort, dbHost, dbPort == null ? db.defaultPort : dbPort, dbName, dbUser, dbPassword,
                batchRows, connections, stall, pid, commandLine, gitCommit, Optional.ofNullable(brokerConf),
                Optional.ofNullable(confDir), runtimeArgs);
    }

    private static Database database(String value) {
        try {
            return Database.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--db " + value + ": one of pgsql, mysql, redis, mongo, cassandra");
        }
    }

    private static long positiveLong(String option, String value) {
        long n = number(option, value).longValue();
        if (n <= 0) {
            throw new IllegalArgumentException(option + " " + value + ": must be positive");
        }
        return n;
    }

    private static int positiveInt(String option, String value) {
        return Math.toIntExact(positiveLong(option, value));
    }

    private static double nonNegative(String option, String value) {
        double n = number(option, value).doubleValue();
        if (n < 0) {
            throw new IllegalArgumentException(option + " " + value + ": must not be negative");
        }
        return n;
    }

    private static Number number(String option, String value) {
        try {
            return value.contains(".") ? (Number) Double.valueOf(value) : (Number) Long.valueOf(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + value + ": not a number");
        }
    }
}
