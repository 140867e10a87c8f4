package io.mqttbackends.model.conf;

import static io.mqttbackends.model.conf.Confs.FILE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mqttbackends.model.DatabaseKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ${env:...}, ${file:...} and ${dir:...} in pool values, as Kafka Connect's config providers. */
class ConfigProvidersTest {

    private static final String SECRET = "s3cret-ü";

    @TempDir
    Path tmp;

    private static PoolConfig pgsql(ConfigProviders providers, String... lines) {
        return ConfLoader.parse(List.of(new ConfFile(FILE, String.join("\n", lines))), providers)
                .pool(DatabaseKind.PGSQL, "pool1").orElseThrow();
    }

    private static List<ConfigError> errors(ConfigProviders providers, String... lines) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfLoader.parse(List.of(new ConfFile(FILE, String.join("\n", lines))), providers));
        assertThat(e).as("the conf must not load").isNotNull();
        return e.errors();
    }

    /** A directory laid out as a mounted Kubernetes Secret: each key a link through ..data into a hidden dir. */
    private Path secretVolume(Map<String, String> keys) throws IOException {
        Path volume = Files.createDirectories(tmp.resolve("secret"));
        Path data = Files.createDirectories(volume.resolve("..2026_12_03_15_00_00.1"));
        for (Map.Entry<String, String> key : keys.entrySet()) {
            Files.writeString(data.resolve(key.getKey()), key.getValue());
            Files.createSymbolicLink(volume.resolve(key.getKey()), Path.of("..data", key.getKey()));
        }
        Files.createSymbolicLink(volume.resolve("..data"), data.getFileName());
        return volume;
    }

    @Test
    void anEnvironmentVariableResolvesAloneOrWithinText() {
        PoolConfig pool = pgsql(ConfigProviders.withEnvironment(Map.of("PG_PASSWORD", SECRET, "PG_HOST", "db1")),
                "backend.pgsql.pool1.server = ${env:PG_HOST}:5433",
                "backend.pgsql.pool1.password = \"${env:PG_PASSWORD}\"");

        assertThat(pool.get("password")).isEqualTo(SECRET);
        assertThat(pool.get("server")).isEqualTo("db1:5433");
    }

    @Test
    void aPropertiesFileKeyResolves() throws IOException {
        Path props = Files.writeString(tmp.resolve("db.properties"), "# db\npg.user = app\npg.password=" + SECRET
                + "\n");

        PoolConfig pool = pgsql(ConfigProviders.system(),
                "backend.pgsql.pool1.username = ${file:" + props + ":pg.user}",
                "backend.pgsql.pool1.password = ${file:" + props + ":pg.password}");

        assertThat(pool.get("username")).isEqualTo("app");
        assertThat(pool.get("password")).isEqualTo(SECRET);
    }

    @Test
    void aMountedSecretKeyResolvesToTheFileContentWithoutItsTrailingNewline() throws IOException {
        Path volume = secretVolume(Map.of("password", SECRET + "\n", "username", "app"));

        PoolConfig pool = pgsql(ConfigProviders.system(),
                "backend.pgsql.pool1.username = ${dir:" + volume + ":username}",
                "backend.pgsql.pool1.password = ${dir:" + volume + ":password}");

        assertThat(pool.get("password")).isEqualTo(SECRET);
        assertThat(pool.get("username")).isEqualTo("app");
    }

    @Test
    void whatCannotBeResolvedIsAnErrorNamingTheLineKeyAndReferenceButNoValue() throws IOException {
        Path props = Files.writeString(tmp.resolve("db.properties"), "other=" + SECRET + "\n");
        Path volume = secretVolume(Map.of("other", SECRET));

        List<ConfigError> errors = errors(ConfigProviders.withEnvironment(Map.of()),
                "backend.pgsql.pool1.password = ${env:PG_PASSWORD}",
                "backend.pgsql.pool2.password = ${file:" + props + ":pg.password}",
                "backend.pgsql.pool3.password = ${file:" + tmp.resolve("missing.properties") + ":k}",
                "backend.pgsql.pool4.password = ${dir:" + volume + ":password}",
                "backend.pgsql.pool5.password = ${dir:/dev:zero}");

        assertThat(errors).extracting(ConfigError::toString).containsExactly(
                FILE + ":1: backend.pgsql.pool1.password: cannot resolve ${env:PG_PASSWORD}: environment variable "
                        + "PG_PASSWORD is not set",
                FILE + ":2: backend.pgsql.pool2.password: cannot resolve ${file:" + props + ":pg.password}: file "
                        + props + " has no key 'pg.password'",
                FILE + ":3: backend.pgsql.pool3.password: cannot resolve ${file:" + tmp.resolve("missing.properties")
                        + ":k}: file " + tmp.resolve("missing.properties") + " does not exist",
                FILE + ":4: backend.pgsql.pool4.password: cannot resolve ${dir:" + volume + ":password}: file "
                        + volume.resolve("password") + " does not exist",
                FILE + ":5: backend.pgsql.pool5.password: cannot resolve ${dir:/dev:zero}: file /dev/zero is not a "
                        + "regular file");
        assertThat(errors.toString()).doesNotContain(SECRET);
    }

    @Test
    void aResolvedValueWithALineTerminatorIsRefusedNamingTheReferenceAndCodePoint() throws IOException {
        Path volume = secretVolume(Map.of("password", SECRET + "\u2028backend.pgsql.hook.message.publish.9 = {}"));

        List<ConfigError> errors = errors(ConfigProviders.withEnvironment(Map.of("PW", SECRET + "\r\n")),
                "backend.pgsql.pool1.password = ${dir:" + volume + ":password}",
                "backend.pgsql.pool2.password = ${env:PW}");

        assertThat(errors).extracting(ConfigError::message).containsExactly(
                "the value of ${dir:" + volume + ":password} contains U+2028 (LINE SEPARATOR), a line terminator; "
                        + "conf values cannot hold line breaks (the value is not shown)",
                "the value of ${env:PW} contains U+000D (CARRIAGE RETURN (CR)), a line terminator; conf values "
                        + "cannot hold line breaks (the value is not shown)");
        assertThat(errors.toString()).doesNotContain(SECRET);
    }

    @Test
    void aDoubledDollarWritesALiteralAndEscapeRoundTripsAnyText() {
        for (String literal : List.of("${env:HOME}", "a${b", "$${", "$$${x}", "pa$$word", "${", "x}$")) {
            PoolConfig pool = pgsql(ConfigProviders.refusing("not here"), Confs.PGSQL_POOL,
                    "backend.pgsql.pool1.password = \"" + ConfigProviders.escape(literal) + "\"");
            assertThat(pool.get("password")).as(literal).isEqualTo(literal);
        }
    }

    @Test
    void hookValuesAreNeverResolvedSoPlaceholdersAndReferencesCannotMeet() {
        ConfigProviders env = ConfigProviders.withEnvironment(Map.of("HOME", "/root", "PW", SECRET));
        BackendsConfig cfg = ConfLoader.parse(List.of(new ConfFile(FILE, String.join("\n",
                Confs.PGSQL_POOL, "backend.pgsql.pool1.password = ${env:PW}",
                Confs.hook(DatabaseKind.PGSQL, "message.publish.1", "{\"action\": {\"sql\": [\"insert into t "
                        + "values (${clientid}, ${topic})\"]}, \"pool\": \"pool1\"}")))), env);
        assertThat(cfg.hooks()).hasSize(1);

        List<ConfigError> errors = errors(env, Confs.PGSQL_POOL,
                Confs.hook(DatabaseKind.PGSQL, "message.publish.1", "{\"action\": {\"sql\": [\"insert into t "
                        + "values (${env:HOME})\"]}, \"pool\": \"pool1\"}"),
                "backend.pgsql.pool1.database = ${clientid}");
        assertThat(errors).extracting(ConfigError::message).anySatisfy(m -> assertThat(m)
                .startsWith("unknown placeholder ${env:HOME}")).anySatisfy(m -> assertThat(m)
                .startsWith("a '${' that names no provider"));
        assertThat(errors.toString()).doesNotContain("/root");
    }

    @Test
    void aFrontEndThatCannotSeeTheRuntimesFilesRefusesEveryReferenceSayingWhy() {
        assertThat(errors(ConfigProviders.refusing("references are resolved by the runtime only"),
                "backend.pgsql.pool1.password = ${env:PW}"))
                .extracting(ConfigError::message)
                .containsExactly("cannot resolve ${env:PW}: references are resolved by the runtime only");
    }

    @Test
    void aSnapshotKeepsWhatItsReferencesResolvedToAndItsVersionFollowsThemWhileItsHashDoesNot() throws IOException {
        Path volume = secretVolume(Map.of("password", "first"));
        Path conf = Files.createDirectories(tmp.resolve("conf"));
        Files.writeString(conf.resolve("a.conf"), Confs.PGSQL_POOL + "\nbackend.pgsql.pool1.password = ${dir:"
                + volume + ":password}\n" + Confs.hook(DatabaseKind.PGSQL, "message.publish.1",
                "{\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}") + "\n");

        ConfSnapshot first = ConfLoader.read(List.of(conf));
        Files.writeString(volume.resolve("password"), "second");
        ConfSnapshot second = ConfLoader.read(List.of(conf));

        assertThat(second.hash()).isEqualTo(first.hash());
        assertThat(second.version()).isNotEqualTo(first.version()).doesNotContain("second");
        assertThat(ConfLoader.read(List.of(conf)).version()).isEqualTo(second.version());
        assertThat(ConfLoader.load(first).pool(DatabaseKind.PGSQL, "pool1").orElseThrow().get("password"))
                .isEqualTo("first");
        assertThat(ConfLoader.load(second).pool(DatabaseKind.PGSQL, "pool1").orElseThrow().get("password"))
                .isEqualTo("second");
        assertThat(first.toString()).doesNotContain("first");
    }

    @Test
    void withoutReferencesTheVersionIsTheHash() throws IOException {
        Path conf = Files.createDirectories(tmp.resolve("plain"));
        Files.writeString(conf.resolve("a.conf"), Confs.PGSQL_POOL + "\n");

        ConfSnapshot snapshot = ConfLoader.read(List.of(conf));
        assertThat(snapshot.references()).isEmpty();
        assertThat(snapshot.version()).isEqualTo(snapshot.hash());
    }
}
