package io.mqttbackends.model.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mqttbackends.model.conf.ConfFile;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfigError;
import io.mqttbackends.model.conf.ConfigException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmqxConverterTest {
    private static final Path FILE = Path.of("/etc/emqx/plugins/emqx_backend_pgsql.conf");

    private static EmqxConverter.Conversion convert(String... lines) {
        return EmqxConverter.convert(ConfLoader.parse(List.of(new ConfFile(FILE, String.join("\n", lines)))),
                Optional.of("iot"));
    }

    private static List<String> errors(String... lines) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> convert(lines));
        Objects.requireNonNull(e, "converted without errors");
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    private static Path defaults() throws URISyntaxException {
        return Path.of(Objects.requireNonNull(EmqxConverterTest.class.getResource("/conf")).toURI());
    }

    @Test
    void emqxsFiveDefaultConfsBecomePoolsPrefixedByDatabaseTheirHooksAndASecretWithoutThePasswords()
            throws Exception {
        EmqxConverter.Conversion conversion = EmqxConverter.convert(List.of(defaults()), Optional.of("iot"));

        assertThat(conversion.poolNames()).containsOnly(Map.entry("redis.pool1", "redis-pool1"),
                Map.entry("mysql.pool1", "mysql-pool1"), Map.entry("pgsql.pool1", "pgsql-pool1"),
                Map.entry("mongo.pool1", "mongo-pool1"), Map.entry("cassa.pool1", "cassandra-pool1"));
        assertThat(conversion.documents()).extracting(d -> d.get("kind"))
                .containsOnly("BackendPool", "BackendHook", "Secret");
        assertThat(conversion.documents().stream().filter(d -> d.get("kind").equals("BackendHook"))).hasSize(52);
        String yaml = conversion.yaml();
        assertThat(yaml).contains("""
                apiVersion: mqttbackends.io/v1alpha1
                kind: BackendPool
                metadata:
                  name: mysql-pool1
                  namespace: iot
                spec:
                  type: mysql
                  servers:
                  - 127.0.0.1:3306
                  poolSize: 8
                  credentials:
                    username:
                      name: mqttbackends-credentials
                      key: mysql-pool1-username
                    password:
                      name: mqttbackends-credentials
                      key: mysql-pool1-password
                  database: mqtt
                """);
        assertThat(yaml).contains("""
                kind: BackendHook
                metadata:
                  name: pgsql-session-subscribed-1
                  namespace: iot
                spec:
                  hookpoint: session.subscribed
                  topic: "#"
                  poolRef: pgsql-pool1
                  order: 1
                  action:
                    function: on_message_fetch
                  offlineOpts:
                    maxReturnedCount: 500
                    timeRange: 2h
                """);
        // Redis's database index stays a string, as the CR's field is.
        assertThat(yaml).contains("  database: \"0\"\n");
        assertThat(yaml).contains("""
                  labels:
                    mqttbackends.io/credentials: "true"
                type: Opaque
                stringData:
                """);
        assertThat(yaml).contains("mysql-pool1-username: root", "mysql-pool1-password: REPLACE-WITH-THE-PASSWORD",
                "cassandra-pool1-password: REPLACE-WITH-THE-PASSWORD");
        // EMQX's defaults hold the passwords "public" (mysql, pgsql) and "cassandra": none goes into the YAML.
        assertThat(yaml).doesNotContain("public").doesNotContain("password: cassandra");
        assertThat(conversion.secretKeys().get("pgsql-pool1-password").line()).isPositive();
    }

    @Test
    void aPoolNameUsedByOneDatabaseOnlyIsKeptAnEmptyPasswordStaysTheDefaultAndRedisPipelinesAreLists() {
        EmqxConverter.Conversion conversion = convert(
                "backend.redis.cache.server = 10.0.0.1:6379,10.0.0.2:6379",
                "backend.redis.cache.type = cluster",
                "backend.redis.cache.ssl = on",
                "backend.redis.cache.password = ",
                "backend.redis.hook.message.publish.10 = {\"topic\": \"a/#\", \"action\": {\"commands\": "
                        + "[\"pipeline\", \"SET k:${clientid} ${payload}\"]}, \"expired_time\": 60, \"pool\": \"cache\"}");

        assertThat(conversion.poolNames()).containsExactly(Map.entry("redis.cache", "cache"));
        assertThat(conversion.yaml()).contains("""
                spec:
                  type: redis
                  servers:
                  - 10.0.0.1:6379
                  - 10.0.0.2:6379
                  redis:
                    mode: cluster
                  tls:
                    enabled: true
                """, """
                  name: redis-message-publish-10
                  namespace: iot
                spec:
                  hookpoint: message.publish
                  topic: a/#
                  poolRef: cache
                  order: 10
                  action:
                    commands:
                    - pipeline
                    - "SET k:${clientid} ${payload}"
                  expiredTime: 60
                """).doesNotContain("kind: Secret");
    }

    @Test
    void whatNoResourceFieldCanHoldIsAnErrorNamingFileLineAndKey() {
        assertThat(errors(
                "backend.pgsql.my_pool.server = 127.0.0.1:5432",
                "backend.pgsql.pool2.server = 127.0.0.1:5432",
                "backend.pgsql.pool2.database = ${env:PATH}",
                "backend.pgsql.hook.message.publish.first = {\"action\": {\"function\": \"on_message_publish\"}, "
                        + "\"pool\": \"pool2\"}"))
                .containsExactly(
                        FILE + ":1: backend.pgsql.my_pool.server: pool name 'my_pool' cannot be a BackendPool name: "
                                + "use lower-case letters, digits and '-' (at most 63)",
                        FILE + ":3: backend.pgsql.pool2.database: the value is read through a reference, and a "
                                + "BackendPool field holds values only: write the value (or, for a secret, use the "
                                + "credentials Secret)",
                        FILE + ":4: backend.pgsql.hook.message.publish.first: the hook suffix 'first' is not a "
                                + "BackendHook order (a whole number from 1, without leading zeros)");
    }

    @Test
    void durationsAreWrittenInEmqxsFormAndTopologyKeysInCamelCase() {
        assertThat(EmqxConverter.duration(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(EmqxConverter.duration(Duration.ofDays(7))).isEqualTo("7d");
        assertThat(EmqxConverter.duration(Duration.ofSeconds(61))).isEqualTo("1m1s");
        assertThat(EmqxConverter.camel("min_heartbeat_frequency_ms")).isEqualTo("minHeartbeatFrequencyMs");
    }
}
