package io.mqttbackends.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Imports run one way through the runtime's packages, along the data flow (design: "Layers"):
 * {@code event <- config <- metrics <- backend (SPI) <- backend.<db> ; backend <- action <- hook <- broker <- ingest
 * <- health}. A package imports only packages below it. The backends ({@code backend.<db>}) import the SPI and
 * what is below it, never each other (PostgreSQL and MySQL share the {@code backend.sql} stage) and never the
 * application layer; nothing imports a backend. Driver types stay in the package that owns the driver.
 */
class LayeringTest {
    private static final String ROOT = "io.mqttbackends.runtime.";
    private static final Map<String, Integer> RANK = Map.of(
            "event", 1, "config", 2, "metrics", 3, "backend", 4, "action", 6, "hook", 7, "broker", 8,
            "ingest", 9, "health", 10, "cli", 11);
    /** Driver packages, and the runtime packages allowed to use them. */
    private static final Map<String, List<String>> DRIVERS = Map.ofEntries(
            Map.entry("com.hivemq.", List.of("ingest")),
            Map.entry("io.vertx.mutiny.sqlclient", List.of("backend.sql", "backend.pgsql", "backend.mysql")),
            Map.entry("io.vertx.sqlclient", List.of("backend.sql", "backend.pgsql", "backend.mysql")),
            Map.entry("io.vertx.mutiny.pgclient", List.of("backend.pgsql")),
            Map.entry("io.vertx.pgclient", List.of("backend.pgsql")),
            Map.entry("io.vertx.mutiny.mysqlclient", List.of("backend.mysql")),
            Map.entry("io.vertx.mysqlclient", List.of("backend.mysql")),
            Map.entry("io.vertx.mutiny.redis", List.of("backend.redis")),
            Map.entry("io.vertx.redis", List.of("backend.redis")),
            Map.entry("com.mongodb", List.of("backend.mongo")),
            Map.entry("org.bson", List.of("backend.mongo")),
            Map.entry("io.quarkus.mongodb", List.of("backend.mongo")),
            Map.entry("com.datastax", List.of("backend.cassandra")));
    private static final Pattern PACKAGE = Pattern.compile("^package io\\.mqttbackends\\.runtime\\.([\\w.]+);",
            Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);

    @Test
    void noMainSourceImportsAgainstTheLayers() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/mqttbackends/runtime"))) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> violations.addAll(check(f.toString(),
                    read(f))));
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void anUpwardImportIsReported() {
        assertThat(check("ActionRunner.java", """
                package io.mqttbackends.runtime.action;
                import io.mqttbackends.runtime.hook.ActiveConfiguration;
                """)).singleElement().asString().contains("action imports io.mqttbackends.runtime.hook");
        assertThat(check("RedisPool.java", """
                package io.mqttbackends.runtime.backend.redis;
                import io.mqttbackends.runtime.backend.sql.SqlPool;
                import io.mqttbackends.runtime.action.ActionRunner;
                """)).hasSize(2);
        assertThat(check("DeadLetters.java", """
                package io.mqttbackends.runtime.broker;
                import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
                """)).hasSize(1);
        assertThat(check("SqlPool.java", """
                package io.mqttbackends.runtime.backend.sql;
                import io.mqttbackends.runtime.backend.BackendPool;
                import io.vertx.mutiny.sqlclient.Pool;
                """)).isEmpty();
    }

    /** The imports of one source file that run against the layers, as readable lines. */
    static List<String> check(String file, String source) {
        Matcher pkg = PACKAGE.matcher(source);
        if (!pkg.find()) {
            return List.of();
        }
        String from = pkg.group(1);
        List<String> violations = new ArrayList<>();
        Matcher imports = IMPORT.matcher(source);
        while (imports.find()) {
            String imported = imports.group(1);
            allowed(from, imported).ifPresent(why -> violations.add(file + ": " + from + " imports " + imported
                    + " (" + why + ")"));
        }
        return violations;
    }

    /** Why {@code from} may not import {@code imported}, empty when it may. */
    private static Optional<String> allowed(String from, String imported) {
        for (Map.Entry<String, List<String>> driver : DRIVERS.entrySet()) {
            if (imported.startsWith(driver.getKey()) && !driver.getValue().contains(from)) {
                return Optional.of("driver types stay in " + driver.getValue());
            }
        }
        if (!imported.startsWith(ROOT)) {
            return Optional.empty();
        }
        String target = imported.substring(ROOT.length(), imported.lastIndexOf('.'));
        // Nested types (Outer.Inner) leave an upper-case segment in the package part.
        target = Stream.of(target.split("\\.")).takeWhile(s -> !Character.isUpperCase(s.charAt(0)))
                .reduce((a, b) -> a + "." + b).orElse(target);
        if (target.equals(from)) {
            return Optional.empty();
        }
        boolean fromBackend = from.startsWith("backend.");
        boolean toBackend = target.startsWith("backend.");
        if (toBackend) {
            if (!fromBackend) {
                return Optional.of("nothing imports a backend; the runtime finds backends by kind");
            }
            boolean sharedSqlStage = target.equals("backend.sql") && (from.equals("backend.pgsql")
                    || from.equals("backend.mysql"));
            return sharedSqlStage ? Optional.empty() : Optional.of("backends never import each other");
        }
        int fromRank = fromBackend ? 5 : rank(from);
        int targetRank = rank(target);
        return targetRank < fromRank ? Optional.empty()
                : Optional.of(target + " is not below " + from);
    }

    private static int rank(String pkg) {
        Integer rank = RANK.get(pkg);
        if (rank == null) {
            throw new AssertionError("package " + pkg + " has no place in the layers: add it to LayeringTest");
        }
        return rank;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
