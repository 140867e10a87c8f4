package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import static io.mqttbackends.model.conf.Confs.FILE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grammar, merging, defaults, run order and pool key validation. */
class ConfLoaderTest {

    private static final String FUNCTION_HOOK =
            "{\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}";

    @Test
    void commentsBlankLinesAndSpacesAroundTheFirstEqualsSignAreIgnored() {
        BackendsConfig cfg = Confs.parse(
                "# a comment",
                "   ## indented comment",
                "",
                "backend.pgsql.pool1.password   =  a=b=c  ",
                "backend.pgsql.pool1.username=\"root\"");

        PoolConfig pool = cfg.pool(DatabaseKind.PGSQL, "pool1").orElseThrow();
        assertThat(pool.get("password")).isEqualTo("a=b=c");
        assertThat(pool.get("username")).isEqualTo("root");
        assertThat(pool.locationOf("username")).isEqualTo(new ConfigLocation(FILE, 5, "backend.pgsql.pool1.username"));
    }

    @Test
    void everySchemaKeyGetsItsDefaultWhenNotWritten() {
        BackendsConfig cfg = Confs.parse(
                "backend.mysql.pool1.user = root",
                "backend.redis.r.server = 10.0.0.1:6380",
                "backend.mongo.m.type = single",
                "backend.ecql.c.size = 4");

        PoolConfig mysql = cfg.pool(DatabaseKind.MYSQL, "pool1").orElseThrow();
        assertThat(mysql.settings()).containsEntry("server", "127.0.0.1:3306").containsEntry("pool_size", "8")
                .containsEntry("password", "").containsEntry("schema.init", "false").containsEntry("verify", "true")
                .containsEntry("user", "root");
        assertThat(mysql.locationOf("server")).isEqualTo(mysql.location());
        assertThat(cfg.pool(DatabaseKind.REDIS, "r").orElseThrow().settings())
                .containsEntry("type", "single").containsEntry("database", "0").containsEntry("ssl", "off")
                .containsEntry("channel", "mqtt_channel").containsEntry("server", "10.0.0.1:6380");
        assertThat(cfg.pool(DatabaseKind.MONGO, "m").orElseThrow().settings())
                .containsEntry("c_pool_size", "8").containsEntry("database", "mqtt")
                .containsEntry("auth_source", "admin").containsEntry("w_mode", "safe")
                .containsEntry("r_mode", "slave_ok").doesNotContainKey("topology.pool_size");
        assertThat(cfg.pool(DatabaseKind.CASSANDRA, "c").orElseThrow().settings())
                .containsEntry("nodes", "127.0.0.1:9042").containsEntry("keyspace", "mqtt")
                .containsEntry("auto_reconnect", "1").containsEntry("logger", "info").containsEntry("size", "4");
    }

    @Test
    void mongoTopologyKeysAreCopiedIntoEveryMongoPool() {
        BackendsConfig cfg = Confs.parse(
                "backend.mongo.a.server = m1:27017",
                "backend.mongo.topology.connect_timeout_ms = 5000",
                "backend.mongo.b.server = m2:27017,m3",
                "backend.mongo.b.type = sharded",
                "backend.pgsql.p.server = pg");

        for (String pool : List.of("a", "b")) {
            PoolConfig mongo = cfg.pool(DatabaseKind.MONGO, pool).orElseThrow();
            assertThat(mongo.get("topology.connect_timeout_ms")).isEqualTo("5000");
            assertThat(mongo.locationOf("topology.connect_timeout_ms").line()).isEqualTo(2);
        }
        assertThat(cfg.pool(DatabaseKind.PGSQL, "p").orElseThrow().settings()).doesNotContainKey(
                "topology.connect_timeout_ms");
    }

    @Test
    void twoFilesMergeIntoOneConfigurationAndHooksMayNamePoolsOfTheOtherFile() {
        BackendsConfig cfg = ConfLoader.parse(List.of(
                Confs.file("pools.conf", "backend.pgsql.pool1.server = db:5432"),
                Confs.file("hooks.conf", "backend.pgsql.hook.message.publish.1 = " + FUNCTION_HOOK)));

        assertThat(cfg.pools()).hasSize(1);
        assertThat(cfg.hooks()).singleElement().satisfies(h -> {
            assertThat(h.pool()).isEqualTo("pool1");
            assertThat(h.location()).isEqualTo(new ConfigLocation(Path.of("/etc/mqttbackends/hooks.conf"), 1,
                    "backend.pgsql.hook.message.publish.1"));
        });
    }

    @Test
    void hooksRunInSuffixOrderNumbersByValueThenWordsThenFileOrder() {
        BackendsConfig cfg = ConfLoader.parse(List.of(
                Confs.file("a.conf",
                        Confs.PGSQL_POOL,
                        Confs.hook(DatabaseKind.PGSQL, "message.publish.b", FUNCTION_HOOK),
                        Confs.hook(DatabaseKind.PGSQL, "message.publish.10", FUNCTION_HOOK),
                        Confs.hook(DatabaseKind.PGSQL, "client.connected.2",
                                "{\"action\": {\"function\": \"on_client_connected\"}, \"pool\": \"pool1\"}"),
                        Confs.hook(DatabaseKind.PGSQL, "message.publish.a", FUNCTION_HOOK)),
                Confs.file("b.conf",
                        Confs.hook(DatabaseKind.PGSQL, "message.publish.2", FUNCTION_HOOK),
                        Confs.hook(DatabaseKind.PGSQL, "message.publish.02", FUNCTION_HOOK))));

        assertThat(cfg.hooks()).extracting(HookConfig::suffix, h -> h.location().file().getFileName().toString())
                .containsExactly(tuple("2", "a.conf"), tuple("2", "b.conf"), tuple("02", "b.conf"),
                        tuple("10", "a.conf"), tuple("a", "a.conf"), tuple("b", "a.conf"));
    }

    @Test
    void loadReadsConfFilesOfEachDirectoryInFileNameOrder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("20-hooks.conf"), "backend.pgsql.hook.message.publish.1 = " + FUNCTION_HOOK);
        Files.writeString(dir.resolve("10-pools.conf"), Confs.PGSQL_POOL + "\nbackend.pgsql.pool1.pool_size = 3");
        Files.writeString(dir.resolve("ignored.txt"), "not a conf file");
        Files.createDirectory(dir.resolve("sub.conf"));
        Path second = Files.createDirectory(dir.resolve("second"));
        Files.writeString(second.resolve("a.conf"), "backend.pgsql.pool2.pool_size = 4");

        BackendsConfig cfg = ConfLoader.load(List.of(dir, second));

        assertThat(cfg.pools()).extracting(PoolConfig::name).containsExactly("pool1", "pool2");
        assertThat(cfg.pool(DatabaseKind.PGSQL, "pool1").orElseThrow().location().file())
                .isEqualTo(dir.resolve("10-pools.conf"));
        assertThat(cfg.hooks()).hasSize(1);
    }

    @Test
    void missingDirectoryIsAnErrorNamingItAlongsideTheErrorsOfTheOtherDirectories(@TempDir Path dir)
            throws Exception {
        Files.writeString(dir.resolve("a.conf"), "backend.pgsql.pool1.bogus = 1");
        Path missing = dir.resolve("nope");

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfLoader.load(List.of(missing, dir)));

        assertThat(e.errors()).extracting(ConfigError::location, ConfigError::message).containsExactly(
                tuple(new ConfigLocation(missing, 0, ""), "conf directory " + missing + " does not exist"),
                tuple(new ConfigLocation(dir.resolve("a.conf"), 1, "backend.pgsql.pool1.bogus"),
                        "unknown key 'bogus' for pgsql pools"));
        assertThat(e.getMessage()).contains(missing.toString());
    }

    @Test
    void aDirectoryWithoutConfFilesIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Files.writeString(empty.resolve("backends.conf.bak"), Confs.PGSQL_POOL);
        Path full = Files.createDirectory(dir.resolve("full"));
        Files.writeString(full.resolve("a.conf"), Confs.PGSQL_POOL);

        ConfSnapshot snapshot = ConfLoader.read(List.of(empty, full));

        assertThat(snapshot.errors()).containsExactly(new ConfigError(new ConfigLocation(empty, 0, ""),
                "conf directory " + empty + " has no *.conf file"));
        assertThat(snapshot.files()).extracting(ConfSnapshot.File::path).containsExactly(full.resolve("a.conf"));
    }

    @Test
    void sameKeyTwiceInOneFileIsAnErrorNamingBothLines() {
        assertThat(Confs.errors(
                "backend.pgsql.pool1.pool_size = 4",
                "backend.pgsql.pool1.pool_size = 5"))
                .containsExactly(new ConfigError(new ConfigLocation(FILE, 2, "backend.pgsql.pool1.pool_size"),
                        "duplicate key, already set at " + FILE + ":1"));
    }

    @Test
    void sameKeyInTwoFilesIsAnErrorNamingBothFiles() {
        ConfFile first = Confs.file("a.conf", "", "backend.pgsql.hook.message.publish.1 = " + FUNCTION_HOOK);
        ConfFile second = Confs.file("b.conf", "backend.pgsql.hook.message.publish.1 = " + FUNCTION_HOOK);

        assertThat(Confs.errors(first, second)).extracting(ConfigError::location, ConfigError::message)
                .contains(tuple(new ConfigLocation(second.path(), 1, "backend.pgsql.hook.message.publish.1"),
                        "duplicate key, already set at " + first.path() + ":2"));
    }

    @Test
    void lineWithoutEqualsSignOrWithMalformedKeyIsAnError() {
        assertThat(Confs.errors(
                "backend.pgsql.pool1.server 127.0.0.1",
                "backend.pgsql..server = x",
                "backend pgsql.pool1.server = x"))
                .extracting(e -> e.location().line(), e -> e.location().key(), ConfigError::message).containsExactly(
                        tuple(1, "backend.pgsql.pool1.server", "expected 'key = value' (the line is not shown)"),
                        tuple(2, "backend.pgsql..server", "malformed key: use dot-separated words of letters, "
                                + "digits, '_' and '-' (the line is not shown)"),
                        tuple(3, "", "malformed key: use dot-separated words of letters, digits, '_' and '-' "
                                + "(the line is not shown)"));
    }

    @Test
    void keysOutsideBackendOrOfUnknownDatabasesAreErrors() {
        assertThat(Confs.errors(
                "plugins.foo = 1",
                "backend.oracle.pool1.server = x",
                "backend.cassa.pool1.nodes = x",
                "backend.ecql.hook.message.publish.1 = {}",
                "backend.pgsql.pool1 = x",
                "backend.pgsql.hook.message.publish = {}"))
                .extracting(ConfigError::message).containsExactly(
                        "unknown key: expected backend.<database>.<pool>.<key> or "
                                + "backend.<database>.hook.<hook point>.<n>",
                        "unknown database 'oracle'; known here: redis, mysql, pgsql, mongo, ecql",
                        "Cassandra pools are backend.ecql.<pool>.*; only its hooks are backend.cassa.hook.*",
                        "Cassandra hooks are backend.cassa.hook.*; only its pools are backend.ecql.*",
                        "a pool key is backend.pgsql.<pool>.<key>, e.g. backend.pgsql.pool1.pool_size",
                        "a hook key is backend.pgsql.hook.<hook point>.<n>, e.g. backend.pgsql.hook.message.publish.1"
                                + " (and no pool may be named 'hook')");
    }

    @Test
    void legacyGlobalOfflineKeysPointToOfflineOpts() {
        assertThat(Confs.errors("backend.mysql.max_returned_count = 500")).extracting(ConfigError::message)
                .containsExactly("the global max_returned_count had no effect in EMQX 4.x; put it in the "
                        + "offline_opts of the on_message_fetch hook");
    }

    @Test
    void keyNamesOfAnotherDatabaseAreUnknownWithAHintToTheRightName() {
        assertThat(Confs.errors(
                "backend.mysql.pool1.username = root",
                "backend.pgsql.pool1.user = root",
                "backend.mongo.pool1.pool_size = 8",
                "backend.mongo.pool1.user = u",
                "backend.mongo.pool1.username = u",
                "backend.ecql.pool1.server = c:9042",
                "backend.redis.pool1.pool_sise = 8",
                "backend.redis.pool1.colour = blue",
                "backend.mongo.topology.pool_sise = 1"))
                .extracting(e -> e.location().key(), ConfigError::message).containsExactly(
                        tuple("backend.mysql.pool1.username",
                                "unknown key 'username' for mysql pools (did you mean 'user'?)"),
                        tuple("backend.pgsql.pool1.user",
                                "unknown key 'user' for pgsql pools (did you mean 'username'?)"),
                        tuple("backend.mongo.pool1.pool_size",
                                "unknown key 'pool_size' for mongo pools (did you mean 'c_pool_size'?)"),
                        tuple("backend.mongo.pool1.user", "unknown key 'user' for mongo pools (did you mean 'login'?)"),
                        tuple("backend.mongo.pool1.username",
                                "unknown key 'username' for mongo pools (did you mean 'login'?)"),
                        tuple("backend.ecql.pool1.server",
                                "unknown key 'server' for ecql pools (did you mean 'nodes'?)"),
                        tuple("backend.redis.pool1.pool_sise",
                                "unknown key 'pool_sise' for redis pools (did you mean 'pool_size'?)"),
                        tuple("backend.redis.pool1.colour", "unknown key 'colour' for redis pools"),
                        tuple("backend.mongo.topology.pool_sise",
                                "unknown key 'pool_sise' for mongo topology (did you mean 'pool_size'?)"));
    }

    @Test
    void typedPoolValuesAreCheckedAndEveryBadOneReported() {
        assertThat(Confs.errors(
                "backend.mysql.p.pool_size = eight",
                "backend.mysql.p.pool_size2 = 1",
                "backend.mysql.p.ssl = maybe",
                "backend.mysql.p.server = db:70000",
                "backend.mysql.p.schema.init = yes please",
                "backend.redis.r.type = master",
                "backend.redis.r.database = -1",
                "backend.redis.r.server = a:1,b:0",
                "backend.mongo.m.w_mode = fast",
                "backend.mongo.m.r_mode = slave",
                "backend.mongo.topology.socket_timeout_ms = soon",
                "backend.ecql.c.size = 0",
                "backend.pgsql.p.server = a:1,b:2"))
                .extracting(ConfigError::message).containsExactly(
                        "'eight' is not valid for pool_size: expected a positive integer",
                        "unknown key 'pool_size2' for mysql pools (did you mean 'pool_size'?)",
                        "'maybe' is not valid for ssl: expected a boolean (true/false, on/off, 1/0)",
                        "'db:70000' is not valid for server: expected host[:port] with port 1..65535",
                        "'yes please' is not valid for schema.init: expected a boolean (true/false, on/off, 1/0)",
                        "'master' is not valid for type: expected one of single, sentinel, cluster",
                        "'-1' is not valid for database: expected a non-negative integer",
                        "'a:1,b:0' is not valid for server: expected a comma-separated list of host[:port] "
                                + "with port 1..65535",
                        "'fast' is not valid for w_mode: expected one of safe, unsafe",
                        "'slave' is not valid for r_mode: expected one of master, slave_ok",
                        "'soon' is not valid for socket_timeout_ms: expected a positive integer",
                        "'0' is not valid for size: expected a positive integer",
                        "'a:1,b:2' is not valid for server: expected host[:port] with port 1..65535");
    }

    @Test
    void validTypedValuesIncludingServerListsAndIpv6AreAccepted() {
        BackendsConfig cfg = Confs.parse(
                "backend.redis.r.type = cluster",
                "backend.redis.r.server = 10.0.0.1:7000, 10.0.0.2:7001,redis-3",
                "backend.redis.r.ssl = on",
                "backend.mongo.m.server = [::1]:27017,mongo.example.com",
                "backend.mongo.m.type = unknown",
                "backend.mongo.m.schema.init = 1",
                "backend.ecql.c.nodes = c1:9042,c2",
                "backend.mysql.p.server = db.example.com");

        assertThat(cfg.pool(DatabaseKind.REDIS, "r").orElseThrow().boolValue("ssl")).isTrue();
        assertThat(cfg.pool(DatabaseKind.MONGO, "m").orElseThrow().boolValue("schema.init")).isTrue();
        assertThat(cfg.pool(DatabaseKind.MYSQL, "p").orElseThrow().get("server")).isEqualTo("db.example.com");
    }

    @Test
    void redisSentinelNeedsAMasterNameAndMongoReplicaSetNeedsItsName() {
        assertThat(Confs.errors(
                "backend.redis.r.type = sentinel",
                "backend.mongo.m.type = rs",
                "backend.mongo.ok.type = rs",
                "backend.mongo.ok.srv_record = true",
                "backend.mongo.ok.server = cluster0.example.com"))
                .extracting(e -> e.location().line(), ConfigError::message).containsExactly(
                        tuple(1, "type sentinel needs backend.redis.r.sentinel (the master name)"),
                        tuple(2, "type rs needs backend.mongo.m.rs_set_name "
                                + "(or srv_record = true to read it from DNS)"));
    }

    @Test
    void aCassandraKeyspaceIsANameCqlTakesUnquoted() {
        assertThat(Confs.errors("backend.ecql.c.keyspace = mqtt-prod", "backend.ecql.ok.keyspace = MQTT_2"))
                .extracting(ConfigError::message).containsExactly(
                        "'mqtt-prod' is not valid for keyspace: expected 1 to 48 letters, digits and underscores");
    }

    @Test
    void aSingleServerTypeWithAListAndAnSrvNameWithAPortAreErrorsAtTheServerLine() {
        assertThat(Confs.errors(
                "backend.redis.r.server = r1,r2",
                "backend.mongo.m.server = m1:27017,m2",
                "backend.mongo.s.srv_record = true",
                "backend.mongo.s.server = cluster0.example.com:27017",
                "backend.mongo.s.type = unknown"))
                .extracting(e -> e.location().line(), ConfigError::message).containsExactly(
                        tuple(1, "type single takes one host[:port] in server; a list is for type sentinel or "
                                + "cluster"),
                        tuple(2, "type single takes one host[:port] in server; a list is for type rs, sharded or "
                                + "unknown"),
                        tuple(4, "srv_record = true takes one DNS name without a port in server (looked up as "
                                + "mongodb+srv://<name>), not 'cluster0.example.com:27017'"));
    }

    @Test
    void allErrorsOfEveryFileAreReportedTogetherInFileAndLineOrder() {
        ConfFile a = Confs.file("a.conf",
                "backend.pgsql.hook.message.publish.1 = {\"action\": {\"function\": \"nope\"}, \"pool\": \"pool1\"}",
                "backend.pgsql.pool1.pool_size = x",
                "backend.pgsql.pool1.user = root");
        ConfFile b = Confs.file("b.conf",
                "backend.mysql.pool1.username = root",
                "backend.mysql.hook.message.publish.1 = {not json");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfLoader.parse(List.of(a, b)));

        assertThat(e.errors()).extracting(x -> x.location().file().getFileName().toString(), x -> x.location().line())
                .containsExactly(tuple("a.conf", 1), tuple("a.conf", 2), tuple("a.conf", 3), tuple("b.conf", 1),
                        tuple("b.conf", 2));
        assertThat(e.getMessage()).contains("a.conf:1:", "a.conf:3:", "b.conf:2:");
    }
}
