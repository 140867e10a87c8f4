package io.mqttbackends.operator.render;

import static io.mqttbackends.operator.testing.Resources.credentials;
import static io.mqttbackends.operator.testing.Resources.function;
import static io.mqttbackends.operator.testing.Resources.hook;
import static io.mqttbackends.operator.testing.Resources.pool;
import static io.mqttbackends.operator.testing.Resources.sql;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.operator.api.v1alpha1.BackendHook;
import io.mqttbackends.operator.api.v1alpha1.BackendPool;
import io.mqttbackends.operator.api.v1alpha1.CassandraOptions;
import io.mqttbackends.operator.api.v1alpha1.HookAction;
import io.mqttbackends.operator.api.v1alpha1.HookPoint;
import io.mqttbackends.operator.api.v1alpha1.MongoOptions;
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
    void mongoPoolRendersCPoolSizeLoginAndItsModes() {
        Rendering r = render(List.of(pool("m1", PoolType.MONGO, s -> {
            s.setServers(List.of("a:27017", "b:27017"));
            s.setPoolSize(3);
            s.setDatabase("mqtt");
            MongoOptions mongo = new MongoOptions();
            mongo.setMode(MongoOptions.Mode.RS);
            mongo.setRsSetName("rs0");
            mongo.setAuthSource("admin");
            mongo.setWriteMode(MongoOptions.WriteMode.UNSAFE);
            mongo.setReadMode(MongoOptions.ReadMode.MASTER);
            s.setMongo(mongo);
            s.setCredentials(credentials("db", "user", "password"));
        })), List.of());
        assertThat(lines(r.backendsConf())).containsExactly(
                "backend.mongo.m1.server = a:27017,b:27017",
                "backend.mongo.m1.c_pool_size = 3",
                "backend.mongo.m1.database = \"mqtt\"",
                "backend.mongo.m1.type = rs",
                "backend.mongo.m1.w_mode = unsafe",
                "backend.mongo.m1.r_mode = master",
                "backend.mongo.m1.rs_set_name = \"rs0\"",
                "backend.mongo.m1.auth_source = \"admin\"");
        assertThat(lines(r.credentialsConf())).containsExactly("backend.mongo.m1.login = \"mqtt\"",
                "backend.mongo.m1.password = \" p\"w = x \"");
    }

    @Test
    void cassandraPoolIsAnEcqlPoolWithNodesSizeAndKeyspace() {
        Rendering r = render(List.of(pool("c1", PoolType.CASSANDRA, s -> {
            s.setServers(List.of("c1:9042", "c2:9042"));
            s.setPoolSize(2);
            s.setDatabase("mqtt");
            CassandraOptions cassandra = new CassandraOptions();
            cassandra.setAutoReconnect(5);
            cassandra.setLogger("warning");
            s.setCassandra(cassandra);
            s.setCredentials(credentials("db", "user", "password"));
        })), List.of());
        assertThat(lines(r.backendsConf())).containsExactly(
                "backend.ecql.c1.nodes = c1:9042,c2:9042",
                "backend.ecql.c1.size = 2",
                "backend.ecql.c1.keyspace = \"mqtt\"",
                "backend.ecql.c1.auto_reconnect = 5",
                "backend.ecql.c1.logger = \"warning\"");
        assertThat(lines(r.credentialsConf())).containsExactly("backend.ecql.c1.username = \"mqtt\"",
                "backend.ecql.c1.password = \" p\"w = x \"");
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
    void aPoolWhoseBackendThisBuildLacksAndAHookWithABadTemplateAreLeftOutAndTheRestRenders() {
        Rendering r = renderAsBuilt(List.of(pool("mg", PoolType.MONGO, s -> { }), pool("pg", PoolType.PGSQL, s -> { })),
                List.of(hook("on-mongo", HookPoint.MESSAGE_PUBLISH, "mg", 1,
                                s -> s.setAction(function("on_message_publish"))),
                        hook("unknown", HookPoint.CLIENT_CONNECTED, "pg", 1,
                                s -> s.setAction(sql("insert into t values (${client})"))),
                        hook("quoted", HookPoint.SESSION_UNSUBSCRIBED, "pg", 1,
                                s -> s.setAction(sql("delete from t where clientid = '${clientid}'"))),
                        hook("unavailable", HookPoint.SESSION_SUBSCRIBED, "pg", 1,
                                s -> s.setAction(sql("insert into t values (${msgid})"))),
                        hook("good", HookPoint.MESSAGE_PUBLISH, "pg", 1,
                                s -> s.setAction(sql("insert into t values (${msgid}, ${topic})")))));

        assertThat(reason(r.pools(), "mg")).isEqualTo(Reason.BackendNotAvailable);
        assertThat(r.pools().get("mg").problem().orElseThrow().message())
                .isEqualTo("no backend for database 'mongo' in this build (available: mysql, pgsql, redis)");
        assertThat(reason(r.hooks(), "on-mongo")).isEqualTo(Reason.PoolNotValid);
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

    private static Reason reason(Map<String, Verdict> verdicts, String name) {
        return verdicts.get(name).problem().orElseThrow(() -> new AssertionError(name + " rendered")).reason();
    }
}
