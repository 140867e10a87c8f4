package io.mqttbackends.runtime.e2e;

import io.mqttbackends.runtime.testing.RuntimeProcess;
import io.mqttbackends.runtime.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What the tests that start the packaged runtime as shipped against a private broker share: a conf directory that
 * stores every publish under a topic prefix into a PostgreSQL database ({@code on_message_publish}, the EMQX tables
 * created at start), and the settings of a runtime that consumes only raw publishes of that prefix.
 */
final class RawPgsqlRuntime {
    private RawPgsqlRuntime() {
    }

    /** Writes {@code dir/backends.conf}: pool {@code pgsql.pool1} on {@code database}, the hook on {@code prefix/#}. */
    static Path conf(Path dir, String database, String prefix) throws IOException {
        Path conf = Files.createDirectories(dir);
        Files.writeString(conf.resolve("backends.conf"), String.join("\n",
                "backend.pgsql.pool1.server = 127.0.0.1:" + TestPostgres.PORT,
                "backend.pgsql.pool1.pool_size = 4",
                "backend.pgsql.pool1.username = postgres",
                "backend.pgsql.pool1.password = ",
                "backend.pgsql.pool1.database = " + database,
                "backend.pgsql.pool1.schema.init = true",
                "backend.pgsql.hook.message.publish.1 = {\"topic\": \"" + prefix + "/#\", "
                        + "\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}",
                ""));
        return conf;
    }

    /** The runtime's settings: {@code conf}, the broker on loopback, raw ingestion of {@code prefix/#}, plus {@code more}. */
    static Map<String, String> properties(Path conf, int brokerPort, String clientId, String prefix,
            Map<String, String> more) {
        Map<String, String> properties = new HashMap<>(RuntimeProcess.rawOnlySettings(conf, "127.0.0.1", brokerPort,
                clientId, prefix, Duration.ofMinutes(5)));
        properties.putAll(more);
        return properties;
    }
}
