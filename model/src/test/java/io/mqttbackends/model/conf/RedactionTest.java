package io.mqttbackends.model.conf;

import static io.mqttbackends.model.conf.Confs.FILE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.mqttbackends.model.DatabaseKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * No secret value in any error: a line that does not parse is named by file, line and at most its key-like first
 * word; values of secret keys and values read through references are never quoted.
 */
class RedactionTest {

    private static final String SECRET = "hunter2";

    /** The whole text every error of a failed parse shows, as the runtime logs and serves it. */
    private static String everythingShown(ConfigProviders providers, String... lines) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfLoader.parse(List.of(new ConfFile(FILE, String.join("\n", lines))), providers));
        assertThat(e).as("the conf must not load").isNotNull();
        return e.getMessage() + e.errors();
    }

    @Test
    void mistypedPasswordLinesNameFileLineAndKeyButNeverTheValue() {
        List<ConfigError> errors = Confs.errors(
                "password: " + SECRET,
                "backend.pgsql.pool1.password " + SECRET,
                SECRET,
                "backend.pgsql.pool1.password " + SECRET + " = x",
                "password " + SECRET + " = x");

        assertThat(errors).extracting(e -> e.location().line(), e -> e.location().key(), ConfigError::message)
                .containsExactly(
                        tuple(1, "password", "expected 'key = value' (the line is not shown)"),
                        tuple(2, "backend.pgsql.pool1.password", "expected 'key = value' (the line is not shown)"),
                        tuple(3, "", "expected 'key = value' (the line is not shown)"),
                        tuple(4, "backend.pgsql.pool1.password", "malformed key: use dot-separated words of letters, "
                                + "digits, '_' and '-' (the line is not shown)"),
                        tuple(5, "password", "malformed key: use dot-separated words of letters, digits, '_' and "
                                + "'-' (the line is not shown)"));
        assertThat(errors.toString()).doesNotContain(SECRET);
    }

    @Test
    void valuesReadThroughReferencesAreNeverQuotedInTypeErrors() {
        ConfigProviders env = ConfigProviders.withEnvironment(Map.of("POOL", "eight-" + SECRET,
                "SIZE", "100000", "HOST", SECRET + ":70000", "BOOL", "maybe-" + SECRET));
        String shown = everythingShown(env,
                "backend.pgsql.pool1.pool_size = ${env:POOL}",
                "backend.pgsql.pool1.batch_size = ${env:SIZE}",
                "backend.pgsql.pool1.server = ${env:HOST}",
                "backend.pgsql.pool1.ssl = \"${env:BOOL}\"");

        assertThat(shown).doesNotContain(SECRET).doesNotContain("100000")
                .contains("the value (value not shown) is not valid for pool_size: expected a positive integer",
                        "batch_size = (value not shown) is out of range: allowed 1..10000",
                        "the value (value not shown) is not valid for server",
                        "the value (value not shown) is not valid for ssl");
    }

    @Test
    void aPasswordHoldingSomethingLikeAReferenceIsRefusedWithoutQuotingAnyOfIt() {
        String shown = everythingShown(ConfigProviders.system(),
                Confs.PGSQL_POOL,
                "backend.pgsql.pool1.password = ab${" + SECRET + "}cd",
                "backend.pgsql.pool1.username = ${env:" + SECRET,
                "backend.pgsql.pool1.database = ${file:relative/" + SECRET + ":k}");

        assertThat(shown).doesNotContain(SECRET).contains("names no provider env, file or dir",
                "without its closing '}'", "${file:...} needs an absolute path");
    }

    @Test
    void poolConfigsShowSecretAndReferencedKeysHiddenAndPrintWithoutSettings() {
        ConfigProviders env = ConfigProviders.withEnvironment(Map.of("HOST", "db.internal", "SRV", SECRET));
        PoolConfig pool = ConfLoader.parse(List.of(new ConfFile(FILE, String.join("\n",
                "backend.pgsql.pool1.server = ${env:HOST}:5433",
                "backend.pgsql.pool1.password = " + SECRET,
                "backend.pgsql.pool1.database = mqtt",
                "backend.pgsql.pool1.cacertfile = /nowhere/" + SECRET))), env)
                .pool(DatabaseKind.PGSQL, "pool1").orElseThrow();

        assertThat(pool.get("server")).isEqualTo("db.internal:5433");
        assertThat(pool.hidden()).containsExactlyInAnyOrder("server", "password");
        assertThat(pool.shown("password")).isEqualTo(Redaction.HIDDEN);
        assertThat(pool.shown("database")).isEqualTo("'mqtt'");
        assertThat(pool.toString()).doesNotContain(SECRET).contains("pgsql.pool1");
        assertThat(new ConfFile(FILE, "backend.pgsql.pool1.password = " + SECRET).toString()).doesNotContain(SECRET);
    }

    @Test
    void secretKeysAreKnownByTheirLastWord() {
        assertThat(List.of("password", "backend.pgsql.p.password", "api-secret", "auth_token", "Passwd"))
                .allMatch(Redaction::isSecretKey);
        assertThat(List.of("server", "backend.redis.tokens.server", "keyfile", "username"))
                .noneMatch(Redaction::isSecretKey);
    }
}
