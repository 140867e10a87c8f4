package io.mqttbackends.operator.render;

import static io.mqttbackends.operator.testing.Resources.credentials;
import static io.mqttbackends.operator.testing.Resources.function;
import static io.mqttbackends.operator.testing.Resources.hook;
import static io.mqttbackends.operator.testing.Resources.pool;
import static io.mqttbackends.operator.testing.Resources.sql;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.BackendsConfig;
import io.mqttbackends.model.conf.ConfFile;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.model.conf.LineTerminators;
import io.mqttbackends.model.conf.PoolConfig;
import io.mqttbackends.operator.api.v1alpha1.BackendHook;
import io.mqttbackends.operator.api.v1alpha1.BackendPool;
import io.mqttbackends.operator.api.v1alpha1.CassandraOptions;
import io.mqttbackends.operator.api.v1alpha1.HookAction;
import io.mqttbackends.operator.api.v1alpha1.HookPoint;
import io.mqttbackends.operator.api.v1alpha1.MongoOptions;
import io.mqttbackends.operator.api.v1alpha1.MongoTopology;
import io.mqttbackends.operator.api.v1alpha1.OfflineOptions;
import io.mqttbackends.operator.api.v1alpha1.PayloadFormat;
import io.mqttbackends.operator.api.v1alpha1.PoolType;
import io.mqttbackends.operator.api.v1alpha1.RedisOptions;
import io.mqttbackends.operator.api.v1alpha1.Tls;
import io.mqttbackends.operator.api.v1alpha1.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamespaceRendererTest {

    private static final SecretLookup SECRETS = name -> name.equals("db")
            ? Optional.of(Map.of("user", "mqtt", "password", " p\"w = x ", "multiline", "a\nb"))
            : Optional.empty();

    /** Every database as if the runtime had its backend: how each one renders. */
    private static Rendering render(List<BackendPool> pools, List<BackendHook> hooks) {
        return NamespaceRenderer.render("ns1", pools, hooks, SECRETS, EnumSet.allOf(DatabaseKind.class));
    }

    /** With the backends this build has. */
    private static Rendering renderAsBuilt(List<BackendPool> pools, List<BackendHook> hooks) {
        return NamespaceRenderer.render("ns1", pools, hooks, SECRETS, DatabaseProfile.availableKinds());
    }

    private static List<String> lines(String conf) {
        return Arrays.stream(conf.split("\n")).filter(l -> !l.startsWith("#")).toList();
    }

    @Test
    void pgsqlPoolRendersItsKeysWithCredentialsOnlyInTheCredentialsFile() {
        Rendering r = render(List.of(pool("pg1", PoolType.PGSQL, s -> {
            s.setServers(List.of("db.example:5433"));
            s.setDatabase("mqtt");
            s.setPoolSize(4);
            s.setSchemaInit(true);
            s.setCredentials(credentials("db", "user", "password"));
            Tls tls = new Tls();
            tls.setEnabled(true);
            tls.setVerify(true);
            tls.setCaFile("/etc/mqttbackends/tls/ca.crt");
            s.setTls(tls);
        })), List.of());
        assertThat(lines(r.backendsConf())).containsExactly(
                "backend.pgsql.pg1.server = db.example:5433",
                "backend.pgsql.pg1.pool_size = 4",
                "backend.pgsql.pg1.schema.init = true",
                "backend.pgsql.pg1.database = \"mqtt\"",
                "backend.pgsql.pg1.ssl = true",
                "backend.pgsql.pg1.verify = true",
                "backend.pgsql.pg1.cacertfile = \"/etc/mqttbackends/tls/ca.crt\"");
        // Quoted, so the runtime keeps the spaces and inner quote of the password verbatim.
        assertThat(lines(r.credentialsConf())).containsExactly(
                "backend.pgsql.pg1.username = \"mqtt\"",
                "backend.pgsql.pg1.password = \" p\"w = x \"");
        assertThat(r.pools().get("pg1").rendered()).isTrue();
    }

    @Test
    void mysqlPoolSpellsTheUserKeyUser() {
        Rendering r = render(List.of(pool("my1", PoolType.MYSQL, s -> {
            s.setServers(List.of("127.0.0.1:3306"));
            s.setCredentials(credentials("db", "user", "password"));
        })), List.of());
        assertThat(lines(r.backendsConf())).containsExactly("backend.mysql.my1.server = 127.0.0.1:3306");
        assertThat(lines(r.credentialsConf())).containsExactly("backend.mysql.my1.user = \"mqtt\"",
                "backend.mysql.my1.password = \" p\"w = x \"");
    }

    @Test
    void redisPoolRendersModeSentinelChannelAndTlsWithItsOwnKeyNames() {
        Rendering r = render(List.of(pool("r1", PoolType.REDIS, s -> {
            s.setServers(List.of("s1:26379", "s2:26379"));
            s.setDatabase("2");
            RedisOptions redis = new RedisOptions();
            redis.setMode(RedisOptions.Mode.SENTINEL);
            redis.setSentinel("mymaster");
            redis.setChannel("ctl");
            s.setRedis(redis);
            Tls tls = new Tls();
            tls.setEnabled(true);
            tls.setCaFile("/tls/ca.crt");
            s.setTls(tls);
            s.setCredentials(credentials("db", null, "password"));
        })), List.of());
        assertThat(lines(r.backendsConf())).containsExactly(
                "backend.redis.r1.server = s1:26379,s2:26379",
                "backend.redis.r1.database = \"2\"",
                "backend.redis.r1.type = sentinel",
                "backend.redis.r1.sentinel = \"mymaster\"",
                "backend.redis.r1.channel = \"ctl\"",
                "backend.redis.r1.ssl = true",
                "backend.redis.r1.cafile = \"/tls/ca.crt\"");
        assertThat(lines(r.credentialsConf())).containsExactly("backend.redis.r1.password = \" p\"w = x \"");
    }

    @Test
    void mongoPoolRendersEveryPoolKeyWithItsOwnNamesAndTheTopologyOnce() {
        Rendering r = render(List.of(pool("m1", PoolType.MONGO, s -> {
            s.setServers(List.of("a:27017", "b:27018", "[::1]:27019"));
            s.setPoolSize(3);
            s.setDatabase("iot");
            s.setSchemaInit(true);
            s.setBatchSize(1000);
            s.setBatchTime(2);
            s.setCallTimeout(5000);
            MongoOptions mongo = new MongoOptions();
            mongo.setMode(MongoOptions.Mode.RS);
            mongo.setRsSetName("rs0");
            mongo.setSrvRecord(false);
            mongo.setAuthSource("users");
            mongo.setWriteMode(MongoOptions.WriteMode.UNSAFE);
            mongo.setReadMode(MongoOptions.ReadMode.MASTER);
            MongoTopology topology = new MongoTopology();
            topology.setPoolSize(2);
            topology.setConnectTimeoutMs(5000);
            topology.setServerSelectionTimeoutMs(15000);
            mongo.setTopology(topology);
            s.setMongo(mongo);
            Tls tls = new Tls();
            tls.setEnabled(true);
            tls.setCaFile("/etc/mqttbackends/tls/ca.crt");
            tls.setCertFile("/etc/mqttbackends/tls/tls.crt");
            tls.setKeyFile("/etc/mqttbackends/tls/tls.key");
            s.setTls(tls);
            s.setCredentials(credentials("db", "user", "password"));
        })), List.of());
        assertThat(r.pools().get("m1").rendered()).isTrue();
        assertThat(lines(r.backendsConf())).containsExactly(
                "backend.mongo.m1.server = a:27017,b:27018,[::1]:27019",
                "backend.mongo.m1.c_pool_size = 3",
                "backend.mongo.m1.schema.init = true",
                "backend.mongo.m1.batch_size = 1000",
                "backend.mongo.m1.batch_time = 2",
                "backend.mongo.m1.call_timeout = 5000",
                "backend.mongo.m1.database = \"iot\"",
                "backend.mongo.m1.type = rs",
                "backend.mongo.m1.srv_record = false",
                "backend.mongo.m1.w_mode = unsafe",
                "backend.mongo.m1.r_mode = master",
                "backend.mongo.m1.rs_set_name = \"rs0\"",
                "backend.mongo.m1.auth_source = \"users\"",
                "backend.mongo.m1.ssl = true",
                "backend.mongo.m1.cacertfile = \"/etc/mqttbackends/tls/ca.crt\"",
                "backend.mongo.m1.certfile = \"/etc/mqttbackends/tls/tls.crt\"",
                "backend.mongo.m1.keyfile = \"/etc/mqttbackends/tls/tls.key\"",
                "backend.mongo.topology.connect_timeout_ms = 5000",
                "backend.mongo.topology.pool_size = 2",
                "backend.mongo.topology.server_selection_timeout_ms = 15000");
        // The user key is login for mongo; both values only ever in the Secret-backed file.
        assertThat(lines(r.credentialsConf())).containsExactly("backend.mongo.m1.login = \"mqtt\"",
                "backend.mongo.m1.password = \" p\"w = x \"");
    }

    @Test
    void mongoPoolsSharingTheTopologyRenderItOnceAndTheRuntimeLoaderGivesItToEveryPool() throws ConfigException {
        BackendPool first = mongoPool("m2", "2026-01-01T00:00:00Z", t -> {
            t.setConnectTimeoutMs(5000);
            t.setHeartbeatFrequencyMs(2000);
        });
        // Agrees on the one setting it shares with m2 and adds one: no conflict, each line written once.
        BackendPool second = mongoPool("m1", "2026-01-02T00:00:00Z", t -> {
            t.setConnectTimeoutMs(5000);
            t.setSocketTimeoutMs(100);
        });
        BackendPool without = pool("m3", PoolType.MONGO, s -> { });
        Rendering r = render(List.of(first, second, without), List.of(hook("publish", HookPoint.MESSAGE_PUBLISH,
                "m3", 1, s -> s.setAction(function("on_message_publish")))));
        assertThat(r.pools().values()).allMatch(Verdict::rendered);
        assertThat(lines(r.backendsConf())).containsExactly(
                "backend.mongo.m1.server = 127.0.0.1:27017",
                "backend.mongo.m2.server = 127.0.0.1:27017",
                "backend.mongo.m3.server = 127.0.0.1:27017",
                "backend.mongo.topology.connect_timeout_ms = 5000",
                "backend.mongo.topology.heartbeat_frequency_ms = 2000",
                "backend.mongo.topology.socket_timeout_ms = 100",
                "backend.mongo.hook.message.publish.1 = {\"action\":{\"function\":\"on_message_publish\"},"
                        + "\"pool\":\"m3\"}");

        // What the runtime's loader makes of the file: the settings are global, so every mongo pool has them.
        BackendsConfig config = ConfLoader.parse(List.of(new ConfFile(Path.of(Rendering.BACKENDS_FILE),
                r.backendsConf())));
        assertThat(config.pools()).hasSize(3).allSatisfy(p -> {
            assertThat(p.get("topology.connect_timeout_ms")).isEqualTo("5000");
            assertThat(p.get("topology.socket_timeout_ms")).isEqualTo("100");
        });
    }

    @Test
    void aMongoPoolGivingATopologySettingDifferentlyFromAnEarlierPoolIsRefusedWithItsHooks() {
        // Created in the opposite order of their names: creation, not the name, decides who was first.
        BackendPool first = mongoPool("zz", "2026-01-01T00:00:00Z", t -> t.setConnectTimeoutMs(5000));
        BackendPool second = mongoPool("aa", "2026-01-02T00:00:00Z", t -> {
            t.setSocketTimeoutMs(100);
            t.setConnectTimeoutMs(9000);
        });
        Rendering r = render(List.of(second, first), List.of(
                hook("on-aa", HookPoint.MESSAGE_PUBLISH, "aa", 1, s -> s.setAction(function("on_message_publish"))),
                hook("on-zz", HookPoint.MESSAGE_PUBLISH, "zz", 2, s -> s.setAction(function("on_message_store")))));
        assertThat(r.pools().get("zz").rendered()).isTrue();
        assertThat(reason(r.pools(), "aa")).isEqualTo(Reason.TopologyConflict);
        assertThat(r.pools().get("aa").problem().orElseThrow().message()).isEqualTo("spec.mongo.topology: "
                + "backend.mongo.topology.connect_timeout_ms = 9000 conflicts with 5000 given by BackendPool 'zz' "
                + "(created first); these settings are global in the runtime, one value for all mongo pools");
        assertThat(reason(r.hooks(), "on-aa")).isEqualTo(Reason.PoolNotValid);
        assertThat(r.hooks().get("on-zz").rendered()).isTrue();
        // Nothing of the refused pool: neither its lines nor the setting it alone gave.
        assertThat(lines(r.backendsConf())).containsExactly(
                "backend.mongo.zz.server = 127.0.0.1:27017",
                "backend.mongo.topology.connect_timeout_ms = 5000",
                "backend.mongo.hook.message.publish.2 = {\"action\":{\"function\":\"on_message_store\"},"
                        + "\"pool\":\"zz\"}");
    }

    @Test
    void mongoPoolProblemsAreReportedByField() {
        Rendering r = render(List.of(
                pool("verify", PoolType.MONGO, s -> {
                    Tls tls = new Tls();
                    tls.setEnabled(true);
                    tls.setVerify(false);
                    s.setTls(tls);
                }),
                pool("rs-unnamed", PoolType.MONGO, s -> {
                    MongoOptions mongo = new MongoOptions();
                    mongo.setMode(MongoOptions.Mode.RS);
                    s.setMongo(mongo);
                }),
                pool("rs-srv", PoolType.MONGO, s -> {
                    s.setServers(List.of("cluster0.example.net"));
                    MongoOptions mongo = new MongoOptions();
                    mongo.setMode(MongoOptions.Mode.RS);
                    mongo.setSrvRecord(true);
                    s.setMongo(mongo);
                }),
                pool("redis-opts", PoolType.MONGO, s -> s.setRedis(new RedisOptions())),
                pool("single-two", PoolType.MONGO, s -> s.setServers(List.of("a", "b"))),
                pool("unknown-two", PoolType.MONGO, s -> {
                    s.setServers(List.of("a", "b"));
                    MongoOptions mongo = new MongoOptions();
                    mongo.setMode(MongoOptions.Mode.UNKNOWN);
                    s.setMongo(mongo);
                }),
                pool("srv-port", PoolType.MONGO, s -> {
                    s.setServers(List.of("cluster0.example.net:27017"));
                    MongoOptions mongo = new MongoOptions();
                    mongo.setSrvRecord(true);
                    s.setMongo(mongo);
                }),
                pool("slow-heartbeat", PoolType.MONGO, s -> {
                    MongoOptions mongo = new MongoOptions();
                    mongo.setTopology(new MongoTopology());
                    mongo.getTopology().setHeartbeatFrequencyMs(100);
                    s.setMongo(mongo);
                }),
                pool("toobig", PoolType.MONGO, s -> s.setPoolSize(257))), List.of());
        assertThat(reason(r.pools(), "verify")).isEqualTo(Reason.InvalidSpec);
        assertThat(r.pools().get("verify").problem().orElseThrow().message()).isEqualTo("spec.tls.verify: mongo pools "
                + "have no verify setting (they always verify the server certificate and host name)");
        assertThat(reason(r.pools(), "rs-unnamed")).isEqualTo(Reason.InvalidSpec);
        assertThat(r.pools().get("rs-unnamed").problem().orElseThrow().message()).isEqualTo("type rs needs "
                + "backend.mongo.rs-unnamed.rs_set_name (or srv_record = true to read it from DNS)");
        assertThat(r.pools().get("rs-srv").rendered()).isTrue();
        assertThat(r.pools().get("redis-opts").problem().orElseThrow().message())
                .isEqualTo("spec.redis is set on a mongo pool");
        assertThat(r.pools().get("toobig").problem().orElseThrow().message())
                .isEqualTo("c_pool_size = 257 is out of range: allowed 1..256");
        // The shared validator's rules spanning keys, in the runtime's words, caught before they fail the reload.
        assertThat(r.pools().get("single-two").problem().orElseThrow().message()).isEqualTo("type single takes one "
                + "host[:port] in server; a list is for type rs, sharded or unknown");
        assertThat(r.pools().get("unknown-two").rendered()).isTrue();
        assertThat(r.pools().get("srv-port").problem().orElseThrow().message()).startsWith("srv_record = true takes "
                + "one DNS name without a port in server (looked up as mongodb+srv://<name>)");
        // The CRD has the same bounds; the runtime's loader checks them again, as for every value.
        assertThat(reason(r.pools(), "slow-heartbeat")).isEqualTo(Reason.InvalidSpec);
        assertThat(r.pools().get("slow-heartbeat").problem().orElseThrow().message())
                .contains("heartbeat_frequency_ms = 100 is out of range: allowed 500..3600000 ms");
    }

    @Test
    void mongoHooksCallFunctionsWithPayloadFormatAndOfflineOptionsAndNeverStatements() {
        HookAction cql = new HookAction();
        cql.setCql(List.of("insert into t (id) values (${msgid})"));
        HookAction commands = new HookAction();
        commands.setCommands(List.of("HSET mqtt:client:${clientid} state 1"));
        Rendering r = render(List.of(pool("mg", PoolType.MONGO, s -> { })), List.of(
                hook("json", HookPoint.MESSAGE_PUBLISH, "mg", 1, s -> {
                    s.setTopic("sensors/#");
                    s.setAction(function("on_message_publish"));
                    s.setPayloadFormat(PayloadFormat.MONGO_JSON);
                }),
                hook("retain", HookPoint.MESSAGE_PUBLISH, "mg", 2, s -> {
                    s.setTopic("#");
                    s.setAction(function("on_message_retain"));
                    s.setPayloadFormat(PayloadFormat.PLAIN_TEXT);
                }),
                hook("fetch", HookPoint.SESSION_SUBSCRIBED, "mg", 1, s -> {
                    s.setTopic("#");
                    s.setAction(function("on_message_fetch"));
                    OfflineOptions offline = new OfflineOptions();
                    offline.setMaxReturnedCount(500);
                    offline.setTimeRange("2h");
                    s.setOfflineOpts(offline);
                }),
                hook("sql", HookPoint.SESSION_UNSUBSCRIBED, "mg", 1, s -> s.setAction(sql(
                        "delete from mqtt_acked where clientid = ${clientid}"))),
                hook("cql", HookPoint.MESSAGE_PUBLISH, "mg", 3, s -> s.setAction(cql)),
                hook("commands", HookPoint.CLIENT_CONNECTED, "mg", 1, s -> s.setAction(commands)),
                hook("not-mongo", HookPoint.SESSION_SUBSCRIBED, "mg", 2,
                        s -> s.setAction(function("on_message_fetch_for_queue"))),
                hook("expiry", HookPoint.MESSAGE_PUBLISH, "mg", 4, s -> {
                    s.setAction(function("on_message_publish"));
                    s.setExpiredTime(60);
                })));
        assertThat(r.hooks().get("json").rendered()).isTrue();
        assertThat(r.hooks().get("retain").rendered()).isTrue();
        assertThat(r.hooks().get("fetch").rendered()).isTrue();
        for (String statement : List.of("sql", "cql", "commands")) {
            assertThat(reason(r.hooks(), statement)).as(statement).isEqualTo(Reason.ActionNotSupported);
            assertThat(r.hooks().get(statement).problem().orElseThrow().message()).as(statement).isEqualTo(
                    "MongoDB hooks cannot run '" + statement + "' statements: only functions exist for MongoDB");
        }
        assertThat(reason(r.hooks(), "not-mongo")).isEqualTo(Reason.FunctionNotSupported);
        assertThat(reason(r.hooks(), "expiry")).isEqualTo(Reason.OptionNotSupported);
        assertThat(lines(r.backendsConf())).containsExactly(
                "backend.mongo.mg.server = 127.0.0.1:27017",
                "backend.mongo.hook.session.subscribed.1 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_message_fetch\"},\"offline_opts\":{\"max_returned_count\":500,\"time_range\":"
                        + "\"2h\"},\"pool\":\"mg\"}",
                "backend.mongo.hook.message.publish.1 = {\"topic\":\"sensors/#\",\"action\":{\"function\":"
                        + "\"on_message_publish\"},\"payload_format\":\"mongo_json\",\"pool\":\"mg\"}",
                "backend.mongo.hook.message.publish.2 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_message_retain\"},\"payload_format\":\"plain_text\",\"pool\":\"mg\"}");
    }

    @Test
    void cassandraPoolRendersEveryEcqlKeyWithCredentialsOnlyInTheCredentialsFile() {
        Rendering r = render(List.of(pool("c1", PoolType.CASSANDRA, s -> {
            s.setServers(List.of("c1:9042", "c2:9142", "[::1]"));
            s.setPoolSize(2);
            s.setDatabase("mqtt_prod");
            s.setSchemaInit(true);
            s.setBatchSize(100);
            s.setBatchTime(5);
            s.setCallTimeout(3000);
            CassandraOptions cassandra = new CassandraOptions();
            cassandra.setAutoReconnect(5);
            cassandra.setLogger("notice");
            cassandra.setLocalDatacenter("eu-west");
            cassandra.setConsistency(CassandraOptions.Consistency.EACH_QUORUM);
            s.setCassandra(cassandra);
            Tls tls = new Tls();
            tls.setEnabled(true);
            tls.setVerify(true);
            tls.setCaFile("/etc/mqttbackends/tls/ca.crt");
            tls.setCertFile("/etc/mqttbackends/tls/tls.crt");
            tls.setKeyFile("/etc/mqttbackends/tls/tls.key");
            s.setTls(tls);
            s.setCredentials(credentials("db", "user", "password"));
        })), List.of());
        assertThat(r.pools().get("c1").rendered()).as("%s", r.pools()).isTrue();
        assertThat(lines(r.backendsConf())).containsExactly(
                "backend.ecql.c1.nodes = c1:9042,c2:9142,[::1]",
                "backend.ecql.c1.size = 2",
                "backend.ecql.c1.schema.init = true",
                "backend.ecql.c1.batch_size = 100",
                "backend.ecql.c1.batch_time = 5",
                "backend.ecql.c1.call_timeout = 3000",
                "backend.ecql.c1.keyspace = \"mqtt_prod\"",
                "backend.ecql.c1.auto_reconnect = 5",
                "backend.ecql.c1.consistency = EACH_QUORUM",
                "backend.ecql.c1.logger = \"notice\"",
                "backend.ecql.c1.local_datacenter = \"eu-west\"",
                "backend.ecql.c1.ssl = true",
                "backend.ecql.c1.verify = true",
                "backend.ecql.c1.cafile = \"/etc/mqttbackends/tls/ca.crt\"",
                "backend.ecql.c1.certfile = \"/etc/mqttbackends/tls/tls.crt\"",
                "backend.ecql.c1.keyfile = \"/etc/mqttbackends/tls/tls.key\"");
        assertThat(r.backendsConf()).doesNotContain("username", "password", "p\"w");
        assertThat(lines(r.credentialsConf())).containsExactly("backend.ecql.c1.username = \"mqtt\"",
                "backend.ecql.c1.password = \" p\"w = x \"");
    }

    @Test
    void theRenderedCassandraPoolIsTheOneTheRuntimeLoaderReadsWithEveryKeyAndDefault() throws ConfigException {
        Rendering r = render(List.of(pool("c1", PoolType.CASSANDRA, s -> {
            s.setServers(List.of("c1", "c2:9142"));
            s.setDatabase("MQTT");
            CassandraOptions cassandra = new CassandraOptions();
            cassandra.setLocalDatacenter("dc2");
            cassandra.setConsistency(CassandraOptions.Consistency.LOCAL_ONE);
            s.setCassandra(cassandra);
            s.setCredentials(credentials("db", "user", "password"));
        })), List.of());
        BackendsConfig config = ConfLoader.parse(List.of(
                new ConfFile(Path.of(Rendering.BACKENDS_FILE), r.backendsConf()),
                new ConfFile(Path.of(Rendering.CREDENTIALS_FILE), r.credentialsConf())));
        var pool = config.pools().stream().filter(p -> p.kind() == DatabaseKind.CASSANDRA).findFirst().orElseThrow();
        assertThat(pool.get("nodes")).isEqualTo("c1,c2:9142");
        assertThat(pool.get("keyspace")).isEqualTo("MQTT");
        assertThat(pool.get("local_datacenter")).isEqualTo("dc2");
        assertThat(pool.get("consistency")).isEqualTo("LOCAL_ONE");
        assertThat(pool.get("username")).isEqualTo("mqtt");
        assertThat(pool.get("password")).isEqualTo(" p\"w = x ");
        // Not given: the runtime's defaults.
        assertThat(pool.get("size")).isEqualTo("8");
        assertThat(pool.get("logger")).isEqualTo("info");
        assertThat(pool.get("auto_reconnect")).isEqualTo("1");
    }

    @Test
    void cassandraPoolProblemsAreReportedByField() {
        Rendering r = render(List.of(
                pool("dashed", PoolType.CASSANDRA, s -> s.setDatabase("mqtt-prod")),
                pool("long", PoolType.CASSANDRA, s -> s.setDatabase("k".repeat(49))),
                pool("mongo-opts", PoolType.CASSANDRA, s -> s.setMongo(new MongoOptions())),
                pool("cassandra-on-pg", PoolType.PGSQL, s -> s.setCassandra(new CassandraOptions())),
                pool("lf-dc", PoolType.CASSANDRA, s -> {
                    CassandraOptions cassandra = new CassandraOptions();
                    cassandra.setLocalDatacenter("dc1\ndc2");
                    s.setCassandra(cassandra);
                }),
                pool("slow", PoolType.CASSANDRA, s -> {
                    CassandraOptions cassandra = new CassandraOptions();
                    cassandra.setAutoReconnect(3601);
                    s.setCassandra(cassandra);
                }),
                pool("chatty", PoolType.CASSANDRA, s -> {
                    CassandraOptions cassandra = new CassandraOptions();
                    cassandra.setLogger("trace");
                    s.setCassandra(cassandra);
                }),
                pool("no-secret", PoolType.CASSANDRA, s -> s.setCredentials(credentials("nope", "user", "password"))),
                pool("toobig", PoolType.CASSANDRA, s -> s.setPoolSize(257))), List.of());
        assertThat(reason(r.pools(), "dashed")).isEqualTo(Reason.InvalidSpec);
        assertThat(r.pools().get("dashed").problem().orElseThrow().message()).isEqualTo("'mqtt-prod' is not valid "
                + "for keyspace: expected 1 to 48 letters, digits and underscores");
        assertThat(reason(r.pools(), "long")).isEqualTo(Reason.InvalidSpec);
        assertThat(r.pools().get("mongo-opts").problem().orElseThrow().message())
                .isEqualTo("spec.mongo is set on a cassandra pool");
        assertThat(r.pools().get("cassandra-on-pg").problem().orElseThrow().message())
                .isEqualTo("spec.cassandra is set on a pgsql pool");
        assertThat(r.pools().get("lf-dc").problem().orElseThrow().message())
                .isEqualTo("spec.cassandra.localDatacenter contains U+000A (LINE FEED (LF)), a line terminator; "
                        + "conf values cannot hold line breaks (the value is not shown)");
        assertThat(reason(r.pools(), "slow")).isEqualTo(Reason.InvalidSpec);
        assertThat(r.pools().get("slow").problem().orElseThrow().message())
                .contains("auto_reconnect = 3601 is out of range: allowed 0..3600 s");
        assertThat(reason(r.pools(), "chatty")).isEqualTo(Reason.InvalidSpec);
        assertThat(r.pools().get("chatty").problem().orElseThrow().message()).contains("logger", "trace");
        assertThat(reason(r.pools(), "no-secret")).isEqualTo(Reason.SecretNotFound);
        assertThat(r.pools().get("toobig").problem().orElseThrow().message())
                .isEqualTo("size = 257 is out of range: allowed 1..256");
        assertThat(lines(r.backendsConf())).isEmpty();
        assertThat(lines(r.credentialsConf())).isEmpty();
    }

    @Test
    void cassandraHooksRenderFunctionsAndCqlAndRefuseSqlCommandsAndOtherDatabasesOptions() {
        HookAction cql = new HookAction();
        cql.setCql(List.of("delete from acked where clientid = ${clientid} and topic = ${topic}"));
        HookAction commands = new HookAction();
        commands.setCommands(List.of("DEL mqtt:acked:${clientid}"));
        OfflineOptions offline = new OfflineOptions();
        offline.setMaxReturnedCount(500);
        offline.setTimeRange("2h");
        Rendering r = render(List.of(pool("cs", PoolType.CASSANDRA, s -> { })), List.of(
                hook("lookup", HookPoint.CLIENT_CONNECTED, "cs", 2, s -> s.setAction(function("on_subscription_lookup"))),
                hook("lookup-alias", HookPoint.CLIENT_CONNECTED, "cs", 3,
                        s -> s.setAction(function("on_subscribe_lookup"))),
                hook("fetch", HookPoint.SESSION_SUBSCRIBED, "cs", 1, s -> {
                    s.setTopic("#");
                    s.setAction(function("on_message_fetch"));
                    s.setOfflineOpts(offline);
                }),
                hook("retain-lookup", HookPoint.SESSION_SUBSCRIBED, "cs", 2,
                        s -> s.setAction(function("on_retain_lookup"))),
                hook("unsub", HookPoint.SESSION_UNSUBSCRIBED, "cs", 1, s -> {
                    s.setTopic("#");
                    s.setAction(cql);
                }),
                hook("sql", HookPoint.MESSAGE_PUBLISH, "cs", 1, s -> s.setAction(sql("insert into msg values (${msgid})"))),
                hook("commands", HookPoint.MESSAGE_PUBLISH, "cs", 2, s -> s.setAction(commands)),
                hook("queue", HookPoint.SESSION_SUBSCRIBED, "cs", 3,
                        s -> s.setAction(function("on_message_fetch_for_queue"))),
                hook("expiry", HookPoint.MESSAGE_PUBLISH, "cs", 3, s -> {
                    s.setAction(function("on_message_publish"));
                    s.setExpiredTime(60);
                }),
                hook("format", HookPoint.MESSAGE_PUBLISH, "cs", 4, s -> {
                    s.setAction(function("on_message_publish"));
                    s.setPayloadFormat(PayloadFormat.MONGO_JSON);
                }),
                hook("bad-cql", HookPoint.MESSAGE_ACKED, "cs", 1, s -> {
                    HookAction typo = new HookAction();
                    typo.setCql(List.of("update acked set msgid = ${msgid} where clientid = ${client}"));
                    s.setAction(typo);
                })));
        assertThat(reason(r.hooks(), "sql")).isEqualTo(Reason.ActionNotSupported);
        assertThat(r.hooks().get("sql").problem().orElseThrow().message())
                .isEqualTo("'sql' statements do not run on cassa; use 'cql'");
        assertThat(reason(r.hooks(), "commands")).isEqualTo(Reason.ActionNotSupported);
        assertThat(r.hooks().get("commands").problem().orElseThrow().message())
                .isEqualTo("'commands' statements do not run on cassa; use 'cql'");
        assertThat(reason(r.hooks(), "queue")).isEqualTo(Reason.FunctionNotSupported);
        assertThat(reason(r.hooks(), "expiry")).isEqualTo(Reason.OptionNotSupported);
        assertThat(reason(r.hooks(), "format")).isEqualTo(Reason.OptionNotSupported);
        assertThat(reason(r.hooks(), "bad-cql")).isEqualTo(Reason.InvalidTemplate);
        assertThat(lines(r.backendsConf())).containsExactly(
                "backend.ecql.cs.nodes = 127.0.0.1:9042",
                "backend.cassa.hook.client.connected.2 = {\"action\":{\"function\":\"on_subscription_lookup\"},"
                        + "\"pool\":\"cs\"}",
                "backend.cassa.hook.client.connected.3 = {\"action\":{\"function\":\"on_subscribe_lookup\"},"
                        + "\"pool\":\"cs\"}",
                "backend.cassa.hook.session.subscribed.1 = {\"topic\":\"#\",\"action\":{\"function\":"
                        + "\"on_message_fetch\"},\"offline_opts\":{\"max_returned_count\":500,\"time_range\":"
                        + "\"2h\"},\"pool\":\"cs\"}",
                "backend.cassa.hook.session.subscribed.2 = {\"action\":{\"function\":\"on_retain_lookup\"},"
                        + "\"pool\":\"cs\"}",
                "backend.cassa.hook.session.unsubscribed.1 = {\"topic\":\"#\",\"action\":{\"cql\":[\"delete "
                        + "from acked where clientid = ${clientid} and topic = ${topic}\"]},\"pool\":\"cs\"}");
    }

    @Test
    void everyActionFormRendersAsOneJsonLineUnderItsDatabasesHookPrefix() {
        HookAction commands = new HookAction();
        commands.setCommands(List.of("pipeline", "HSET mqtt:client:${clientid} state 1"));
        HookAction cql = new HookAction();
        cql.setCql(List.of("insert into t (id) values (${msgid})"));
        Rendering r = render(List.of(pool("pg", PoolType.PGSQL, s -> { }), pool("rd", PoolType.REDIS, s -> { }),
                pool("cs", PoolType.CASSANDRA, s -> { }), pool("mg", PoolType.MONGO, s -> { })), List.of(
                hook("publish", HookPoint.MESSAGE_PUBLISH, "pg", 1, s -> {
                    s.setTopic("sensors/#");
                    s.setAction(function("on_message_publish"));
                }),
                hook("fetch", HookPoint.SESSION_SUBSCRIBED, "pg", 1, s -> {
                    s.setAction(function("on_message_fetch"));
                    OfflineOptions offline = new OfflineOptions();
                    offline.setMaxReturnedCount(500);
                    offline.setTimeRange("2h");
                    s.setOfflineOpts(offline);
                }),
                hook("unsub", HookPoint.SESSION_UNSUBSCRIBED, "pg", 1, s -> s.setAction(sql(
                        "delete from mqtt_acked where clientid = ${clientid}\nand topic = ${topic}"))),
                hook("redis", HookPoint.CLIENT_CONNECTED, "rd", 1, s -> s.setAction(commands)),
                hook("expiry", HookPoint.MESSAGE_PUBLISH, "rd", 1, s -> {
                    s.setAction(function("on_message_publish"));
                    s.setExpiredTime(3600);
                }),
                hook("cassa", HookPoint.MESSAGE_PUBLISH, "cs", 1, s -> s.setAction(cql)),
                hook("mongo", HookPoint.MESSAGE_PUBLISH, "mg", 1, s -> {
                    s.setAction(function("on_message_publish"));
                    s.setPayloadFormat(PayloadFormat.PLAIN_TEXT);
                })));
        assertThat(r.hooks().values()).allMatch(Verdict::rendered);
        assertThat(lines(r.backendsConf()).stream().filter(l -> l.contains(".hook.")).toList()).containsExactly(
                "backend.cassa.hook.message.publish.1 = {\"action\":{\"cql\":[\"insert into t (id) values "
                        + "(${msgid})\"]},\"pool\":\"cs\"}",
                "backend.mongo.hook.message.publish.1 = {\"action\":{\"function\":\"on_message_publish\"},"
                        + "\"payload_format\":\"plain_text\",\"pool\":\"mg\"}",
                "backend.pgsql.hook.session.subscribed.1 = {\"action\":{\"function\":\"on_message_fetch\"},"
                        + "\"offline_opts\":{\"max_returned_count\":500,\"time_range\":\"2h\"},\"pool\":\"pg\"}",
                "backend.pgsql.hook.session.unsubscribed.1 = {\"action\":{\"sql\":[\"delete from mqtt_acked where "
                        + "clientid = ${clientid}\\nand topic = ${topic}\"]},\"pool\":\"pg\"}",
                "backend.pgsql.hook.message.publish.1 = {\"topic\":\"sensors/#\",\"action\":{\"function\":"
                        + "\"on_message_publish\"},\"pool\":\"pg\"}",
                "backend.redis.hook.client.connected.1 = {\"action\":{\"commands\":[\"pipeline\",\"HSET "
                        + "mqtt:client:${clientid} state 1\"]},\"pool\":\"rd\"}",
                "backend.redis.hook.message.publish.1 = {\"action\":{\"function\":\"on_message_publish\"},"
                        + "\"expired_time\":3600,\"pool\":\"rd\"}");
    }

    @Test
    void aPoolWithoutServersRendersItsDatabasesDefaultServerSoTheRuntimeKnowsIt() {
        Rendering r = render(List.of(pool("pg", PoolType.PGSQL, s -> { }), pool("cs", PoolType.CASSANDRA, s -> { })),
                List.of());
        assertThat(lines(r.backendsConf())).containsExactly("backend.ecql.cs.nodes = 127.0.0.1:9042",
                "backend.pgsql.pg.server = 127.0.0.1:5432");
    }

    @Test
    void sameResourcesRenderTheSameHashAndAChangedSecretChangesIt() {
        List<BackendPool> pools = List.of(pool("pg", PoolType.PGSQL,
                s -> s.setCredentials(credentials("db", null, "password"))));
        Rendering once = render(pools, List.of());
        Rendering twice = render(pools, List.of());
        Rendering otherPassword = NamespaceRenderer.render("ns1", pools, List.of(),
                name -> Optional.of(Map.of("password", "new")), DatabaseProfile.availableKinds());
        assertThat(twice.hash()).isEqualTo(once.hash());
        assertThat(otherPassword.hash()).isNotEqualTo(once.hash());
    }

    @Test
    void theHashIsTheOneTheRuntimeComputesFromTheMountedFiles(@TempDir Path root) throws IOException {
        Rendering r = render(List.of(pool("pg", PoolType.PGSQL,
                s -> s.setCredentials(credentials("db", null, "password")))), List.of());
        Path conf = Files.createDirectory(root.resolve("conf"));
        Path credentials = Files.createDirectory(root.resolve("credentials"));
        Files.writeString(conf.resolve(Rendering.BACKENDS_FILE), r.backendsConf());
        Files.writeString(credentials.resolve(Rendering.CREDENTIALS_FILE), r.credentialsConf());

        assertThat(ConfLoader.read(List.of(conf, credentials)).hash()).isEqualTo(r.hash());
    }

    @Test
    void aSecretValueWithAnyLineTerminatorIsRefusedNamingItsKeyAndCodePointWhileTheOtherPoolsRender() {
        String injected = "backend.pgsql.hook.message.publish.9 = {\"topic\":\"#\",\"action\":{\"sql\":"
                + "[\"delete from canary\"]},\"pool\":\"good\"}";
        for (int terminator : List.of(0x0A, 0x0D, 0x0B, 0x0C, 0x85, 0x2028, 0x2029)) {
            String password = "s3cret" + Character.toString(terminator) + injected;
            Rendering r = NamespaceRenderer.render("ns1", List.of(
                            pool("bad", PoolType.PGSQL, s -> s.setCredentials(credentials("db", null, "password"))),
                            pool("good", PoolType.PGSQL, s -> s.setCredentials(credentials("ok", null, "password")))),
                    List.of(hook("store", HookPoint.MESSAGE_PUBLISH, "good", 1,
                            s -> s.setAction(function("on_message_publish")))),
                    name -> Optional.of(Map.of("password", name.equals("db") ? password : "fine")),
                    DatabaseProfile.availableKinds());

            assertThat(reason(r.pools(), "bad")).isEqualTo(Reason.InvalidSecret);
            assertThat(r.pools().get("bad").problem().orElseThrow().message()).as("U+%04X", terminator)
                    .isEqualTo("spec.credentials.password: the value of Secret 'db' key 'password' contains "
                            + LineTerminators.describe(terminator) + ", a line terminator; conf values cannot hold "
                            + "line breaks (the value is not shown)");
            assertThat(r.pools().get("good").rendered()).isTrue();
            assertThat(r.hooks().get("store").rendered()).isTrue();
            assertThat(r.backendsConf() + r.credentialsConf()).doesNotContain("s3cret").doesNotContain("canary")
                    .contains("backend.pgsql.good.password = \"fine\"");
        }
    }

    @Test
    void lineTerminatorsInsideAHookStatementAreWrittenAsJsonEscapesAndReadBackAsTheyWere() {
        String statement = "insert into notes (text) values ('a\u2028b\u2029c\u0085d\re\u000Bf\u000Cg\nh')";
        Rendering r = render(List.of(pool("pg", PoolType.PGSQL, s -> { })), List.of(hook("note",
                HookPoint.MESSAGE_PUBLISH, "pg", 1, s -> s.setAction(sql(statement)))));

        assertThat(r.hooks().get("note").rendered()).isTrue();
        assertThat(LineTerminators.find(r.backendsConf().replace("\n", ""))).isEmpty();
        assertThat(r.backendsConf()).contains("'a\\u2028b\\u2029c\\u0085d\\re\\u000Bf\\fg\\nh'");
        BackendsConfig config = ConfLoader.parse(List.of(new ConfFile(Path.of(Rendering.BACKENDS_FILE),
                r.backendsConf())));
        assertThat(config.hooks().get(0).action()).isEqualTo(
                new ActionSpec.Statements(ActionSpec.Language.SQL, List.of(statement), false));
    }

    @Test
    void secretValuesThatLookLikeReferencesAreWrittenEscapedAndReadBackLiterally(@TempDir Path root)
            throws IOException {
        String password = "${env:HOME}$${x";
        Rendering r = NamespaceRenderer.render("ns1", List.of(pool("pg", PoolType.PGSQL, s -> {
                    s.setDatabase("${file:/etc/passwd:root}");
                    s.setCredentials(credentials("db", null, "password"));
                })), List.of(hook("store", HookPoint.MESSAGE_PUBLISH, "pg", 1,
                        s -> s.setAction(function("on_message_publish")))),
                name -> Optional.of(Map.of("password", password)), DatabaseProfile.availableKinds());
        Path conf = Files.createDirectory(root.resolve("conf"));
        Files.writeString(conf.resolve(Rendering.BACKENDS_FILE), r.backendsConf());
        Files.writeString(conf.resolve(Rendering.CREDENTIALS_FILE), r.credentialsConf());

        PoolConfig pool = ConfLoader.load(List.of(conf)).pool(DatabaseKind.PGSQL, "pg").orElseThrow();
        assertThat(pool.get("password")).isEqualTo(password);
        assertThat(pool.get("database")).isEqualTo("${file:/etc/passwd:root}");
    }

    @Test
    void invalidPoolsAreLeftOutWithTheirReasonAndTheirHooksWithPoolNotValid() {
        Rendering r = render(List.of(
                pool("dotted.name", PoolType.PGSQL, s -> { }),
                pool("hook", PoolType.PGSQL, s -> { }),
                pool("two", PoolType.PGSQL, s -> s.setServers(List.of("a", "b"))),
                pool("nosecret", PoolType.PGSQL, s -> s.setCredentials(credentials("missing", null, "password"))),
                pool("nokey", PoolType.PGSQL, s -> s.setCredentials(credentials("db", null, "absent"))),
                pool("newline", PoolType.PGSQL, s -> s.setCredentials(credentials("db", null, "multiline"))),
                pool("redisuser", PoolType.REDIS, s -> s.setCredentials(credentials("db", "user", "password"))),
                pool("redisdb", PoolType.REDIS, s -> s.setDatabase("mqtt")),
                pool("wrongopts", PoolType.PGSQL, s -> s.setRedis(new RedisOptions())),
                pool("sentinel", PoolType.REDIS, s -> {
                    RedisOptions redis = new RedisOptions();
                    redis.setMode(RedisOptions.Mode.SENTINEL);
                    s.setRedis(redis);
                }),
                pool("toobig", PoolType.PGSQL, s -> {
                    s.setPoolSize(1000);
                    s.setCredentials(credentials("db", "user", "password"));
                })), List.of(hook("h", HookPoint.MESSAGE_PUBLISH, "two", 1,
                        s -> s.setAction(function("on_message_publish")))));
        assertThat(reason(r.pools(), "dotted.name")).isEqualTo(Reason.InvalidPoolName);
        assertThat(reason(r.pools(), "hook")).isEqualTo(Reason.InvalidPoolName);
        assertThat(reason(r.pools(), "two")).isEqualTo(Reason.InvalidSpec);
        assertThat(reason(r.pools(), "nosecret")).isEqualTo(Reason.SecretNotFound);
        assertThat(r.pools().get("nokey").problem().orElseThrow().message()).contains("has no key 'absent'");
        assertThat(reason(r.pools(), "nokey")).isEqualTo(Reason.SecretNotFound);
        assertThat(reason(r.pools(), "newline")).isEqualTo(Reason.InvalidSecret);
        assertThat(reason(r.pools(), "redisuser")).isEqualTo(Reason.InvalidSpec);
        assertThat(reason(r.pools(), "redisdb")).isEqualTo(Reason.InvalidSpec);
        assertThat(reason(r.pools(), "wrongopts")).isEqualTo(Reason.InvalidSpec);
        assertThat(reason(r.pools(), "sentinel")).isEqualTo(Reason.InvalidSpec);
        assertThat(r.pools().get("sentinel").problem().orElseThrow().message())
                .isEqualTo("type sentinel needs backend.redis.sentinel.sentinel (the master name)");
        assertThat(reason(r.pools(), "redisdb")).isEqualTo(Reason.InvalidSpec);
        assertThat(r.pools().get("redisdb").problem().orElseThrow().message())
                .isEqualTo("'mqtt' is not valid for database: expected a non-negative integer");
        // The runtime's loader has the final word on values; the message is its own, without the Secret's values.
        assertThat(reason(r.pools(), "toobig")).isEqualTo(Reason.InvalidSpec);
        assertThat(r.pools().get("toobig").problem().orElseThrow().message())
                .isEqualTo("pool_size = 1000 is out of range: allowed 1..256");
        assertThat(reason(r.hooks(), "h")).isEqualTo(Reason.PoolNotValid);
        assertThat(lines(r.backendsConf())).isEmpty();
        assertThat(lines(r.credentialsConf())).isEmpty();
    }

    @Test
    void hookProblemsAreReportedWithTheirReasonsAndKeepTheHookOutOfTheConf() {
        HookAction two = function("on_message_publish");
        two.setSql(List.of("select 1"));
        HookAction redisSql = sql("select 1");
        Rendering r = render(List.of(pool("pg", PoolType.PGSQL, s -> { }), pool("rd", PoolType.REDIS, s -> { }),
                pool("mg", PoolType.MONGO, s -> { })), List.of(
                hook("nopool", HookPoint.MESSAGE_PUBLISH, "absent", 1, s -> s.setAction(function("on_message_publish"))),
                hook("nofn", HookPoint.MESSAGE_PUBLISH, "pg", 2, s -> s.setAction(function("on_message_fetch_for_queue"))),
                hook("wrongpoint", HookPoint.MESSAGE_PUBLISH, "pg", 3, s -> s.setAction(function("on_message_acked"))),
                hook("topic", HookPoint.MESSAGE_PUBLISH, "pg", 4, s -> {
                    s.setTopic("sensors/#/x");
                    s.setAction(function("on_message_publish"));
                }),
                hook("plus", HookPoint.MESSAGE_PUBLISH, "pg", 5, s -> {
                    s.setTopic("a/b+/c");
                    s.setAction(function("on_message_publish"));
                }),
                hook("both", HookPoint.MESSAGE_PUBLISH, "pg", 6, s -> s.setAction(two)),
                hook("sqlonredis", HookPoint.MESSAGE_PUBLISH, "rd", 1, s -> s.setAction(redisSql)),
                hook("sqlonmongo", HookPoint.MESSAGE_PUBLISH, "mg", 1, s -> s.setAction(sql("select 1"))),
                hook("expiry", HookPoint.MESSAGE_PUBLISH, "pg", 7, s -> {
                    s.setAction(function("on_message_publish"));
                    s.setExpiredTime(10);
                }),
                hook("format", HookPoint.MESSAGE_PUBLISH, "pg", 8, s -> {
                    s.setAction(function("on_message_publish"));
                    s.setPayloadFormat(PayloadFormat.MONGO_JSON);
                }),
                hook("offline", HookPoint.MESSAGE_PUBLISH, "pg", 9, s -> {
                    s.setAction(function("on_message_publish"));
                    s.setOfflineOpts(new OfflineOptions());
                })));
        assertThat(reason(r.hooks(), "nopool")).isEqualTo(Reason.PoolNotFound);
        assertThat(reason(r.hooks(), "nofn")).isEqualTo(Reason.FunctionNotSupported);
        assertThat(r.hooks().get("wrongpoint").problem().orElseThrow().message())
                .contains("works on message.acked only");
        assertThat(reason(r.hooks(), "wrongpoint")).isEqualTo(Reason.FunctionNotSupported);
        assertThat(reason(r.hooks(), "topic")).isEqualTo(Reason.InvalidTopicFilter);
        assertThat(reason(r.hooks(), "plus")).isEqualTo(Reason.InvalidTopicFilter);
        assertThat(reason(r.hooks(), "both")).isEqualTo(Reason.InvalidAction);
        assertThat(reason(r.hooks(), "sqlonredis")).isEqualTo(Reason.ActionNotSupported);
        assertThat(reason(r.hooks(), "sqlonmongo")).isEqualTo(Reason.ActionNotSupported);
        assertThat(reason(r.hooks(), "expiry")).isEqualTo(Reason.OptionNotSupported);
        assertThat(reason(r.hooks(), "format")).isEqualTo(Reason.OptionNotSupported);
        assertThat(reason(r.hooks(), "offline")).isEqualTo(Reason.OptionNotSupported);
        assertThat(r.backendsConf()).doesNotContain(".hook.");
    }

    @Test
    void aPoolWhoseBackendTheRuntimeLacksAndAHookWithABadTemplateAreLeftOutAndTheRestRenders() {
        // A runtime without cassandra, whatever this build has: the mechanism, not the build's current state.
        Rendering r = NamespaceRenderer.render("ns1", List.of(pool("cs", PoolType.CASSANDRA, s -> { }),
                        pool("pg", PoolType.PGSQL, s -> { })),
                List.of(hook("on-cassandra", HookPoint.MESSAGE_PUBLISH, "cs", 1,
                                s -> s.setAction(function("on_message_publish"))),
                        hook("unknown", HookPoint.CLIENT_CONNECTED, "pg", 1,
                                s -> s.setAction(sql("insert into t values (${client})"))),
                        hook("quoted", HookPoint.SESSION_UNSUBSCRIBED, "pg", 1,
                                s -> s.setAction(sql("delete from t where clientid = '${clientid}'"))),
                        hook("unavailable", HookPoint.SESSION_SUBSCRIBED, "pg", 1,
                                s -> s.setAction(sql("insert into t values (${msgid})"))),
                        hook("good", HookPoint.MESSAGE_PUBLISH, "pg", 1,
                                s -> s.setAction(sql("insert into t values (${msgid}, ${topic})")))),
                SECRETS, EnumSet.complementOf(EnumSet.of(DatabaseKind.CASSANDRA)));

        assertThat(reason(r.pools(), "cs")).isEqualTo(Reason.BackendNotAvailable);
        assertThat(r.pools().get("cs").problem().orElseThrow().message())
                .isEqualTo("no backend for database 'cassa' in this build (available: mongo, mysql, pgsql, redis)");
        assertThat(reason(r.hooks(), "on-cassandra")).isEqualTo(Reason.PoolNotValid);
        assertThat(reason(r.hooks(), "unknown")).isEqualTo(Reason.InvalidTemplate);
        assertThat(r.hooks().get("unknown").problem().orElseThrow().message()).isEqualTo("unknown placeholder "
                + "${client} in 'insert into t values (${client})'; available at client.connected: ${clientid}, "
                + "${username}, ${peerhost}, ${node}, ${timestamp}");
        assertThat(reason(r.hooks(), "quoted")).isEqualTo(Reason.InvalidTemplate);
        assertThat(reason(r.hooks(), "unavailable")).isEqualTo(Reason.InvalidTemplate);
        assertThat(r.pools().get("pg").rendered()).isTrue();
        assertThat(r.hooks().get("good").rendered()).isTrue();
        assertThat(lines(r.backendsConf())).containsExactly("backend.pgsql.pg.server = 127.0.0.1:5432",
                "backend.pgsql.hook.message.publish.1 = {\"action\":{\"sql\":[\"insert into t values (${msgid}, "
                        + "${topic})\"]},\"pool\":\"pg\"}");
    }

    @Test
    void aClashingOrderKeepsTheFirstCreatedHookAndReportsTheOther() {
        BackendHook first = hook("first", HookPoint.MESSAGE_PUBLISH, "pg", 1,
                s -> s.setAction(function("on_message_publish")));
        first.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
        BackendHook second = hook("second", HookPoint.MESSAGE_PUBLISH, "pg", 1,
                s -> s.setAction(function("on_message_retain")));
        second.getMetadata().setCreationTimestamp("2026-01-02T00:00:00Z");
        BackendHook otherPoint = hook("other", HookPoint.MESSAGE_ACKED, "pg", 1,
                s -> s.setAction(function("on_message_acked")));
        Rendering r = render(List.of(pool("pg", PoolType.PGSQL, s -> { })), List.of(second, first, otherPoint));
        assertThat(r.hooks().get("first").rendered()).isTrue();
        assertThat(r.hooks().get("other").rendered()).isTrue();
        assertThat(reason(r.hooks(), "second")).isEqualTo(Reason.OrderConflict);
        assertThat(r.hooks().get("second").problem().orElseThrow().message()).contains("taken by BackendHook 'first'");
        assertThat(r.backendsConf()).contains("on_message_publish").doesNotContain("on_message_retain");
    }

    @Test
    void mongoAndCassandraPoolsRenderWithTheBackendsThisBuildHas() {
        Rendering r = renderAsBuilt(List.of(pool("mg", PoolType.MONGO, s -> { }),
                pool("cs", PoolType.CASSANDRA, s -> { })), List.of(
                hook("store", HookPoint.MESSAGE_PUBLISH, "mg", 1, s -> s.setAction(function("on_message_publish"))),
                hook("cassa-store", HookPoint.MESSAGE_PUBLISH, "cs", 1,
                        s -> s.setAction(function("on_message_publish")))));
        assertThat(r.pools().get("mg").rendered()).isTrue();
        assertThat(r.pools().get("cs").rendered()).isTrue();
        assertThat(r.hooks().get("store").rendered()).isTrue();
        assertThat(r.hooks().get("cassa-store").rendered()).isTrue();
    }

    private static BackendPool mongoPool(String name, String created, Consumer<MongoTopology> topology) {
        BackendPool pool = pool(name, PoolType.MONGO, s -> {
            MongoOptions mongo = new MongoOptions();
            mongo.setTopology(new MongoTopology());
            topology.accept(mongo.getTopology());
            s.setMongo(mongo);
        });
        pool.getMetadata().setCreationTimestamp(created);
        return pool;
    }

    private static Reason reason(Map<String, Verdict> verdicts, String name) {
        return verdicts.get(name).problem().orElseThrow(() -> new AssertionError(name + " rendered")).reason();
    }
}
