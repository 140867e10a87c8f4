package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import static io.mqttbackends.model.conf.Confs.FILE;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.conf.ActionSpec.Language;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Hook lines: the JSON value, and whether it fits its database, hook point and pool. */
class HookValidationTest {

    private static final String PG_POOL = Confs.PGSQL_POOL;
    private static final String REDIS_POOL = "backend.redis.pool1.server = redis";
    private static final String MONGO_POOL = "backend.mongo.pool1.server = mongo";

    /** The messages of a single hook line checked against pools of pgsql, redis and mongo named pool1. */
    private static List<String> messages(String hookLine) {
        return Confs.errors(PG_POOL, REDIS_POOL, MONGO_POOL, hookLine).stream().map(ConfigError::message).toList();
    }

    private static HookConfig hook(String hookLine) {
        return Confs.parse(PG_POOL, REDIS_POOL, MONGO_POOL, hookLine).hooks().get(0);
    }

    private static String pg(String hookPoint, String json) {
        return Confs.hook(DatabaseKind.PGSQL, hookPoint + ".1", json);
    }

    private static String redis(String hookPoint, String json) {
        return Confs.hook(DatabaseKind.REDIS, hookPoint + ".1", json);
    }

    private static String mongo(String hookPoint, String json) {
        return Confs.hook(DatabaseKind.MONGO, hookPoint + ".1", json);
    }

    @Test
    void malformedJsonNamesFileLineKeyAndTheParserMessage() {
        List<ConfigError> errors = Confs.errors(PG_POOL,
                pg("message.publish", "{\"action\": {\"function\": \"on_message_publish\"} \"pool\": \"pool1\"}"));

        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.location()).isEqualTo(new ConfigLocation(FILE, 2, "backend.pgsql.hook.message.publish.1"));
            assertThat(e.message()).startsWith("malformed JSON: Unexpected character ('\"'")
                    .contains("was expecting comma").endsWith("(column 47)");
        });
    }

    @Test
    void duplicateJsonKeysAndTrailingTextAreMalformedJson() {
        assertThat(messages(pg("message.publish", "{\"pool\": \"pool1\", \"pool\": \"pool2\"}")))
                .singleElement().asString().startsWith("malformed JSON: Duplicate field 'pool'");
        assertThat(messages(pg("message.publish",
                "{\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"} extra")))
                .singleElement().asString().startsWith("malformed JSON: ");
    }

    @Test
    void valueThatIsNotAJsonObjectIsAnError() {
        assertThat(messages(pg("message.publish", "[\"on_message_publish\"]"))).containsExactly(
                "the value must be a JSON object like {\"action\": {\"function\": \"...\"}, \"pool\": \"pool1\"}");
    }

    @Test
    void unknownTopLevelKeyIsAnErrorWithAHint() {
        assertThat(messages(pg("message.publish",
                "{\"topics\": \"#\", \"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}")))
                .containsExactly("unknown key 'topics' in the hook (did you mean 'topic'?); known: action, "
                        + "expired_time, offline_opts, payload_format, pool, topic");
    }

    @Test
    void sessionCreatedHookPointPointsToClientConnected() {
        assertThat(messages(pg("session.created", "{\"action\": {\"function\": \"on_subscribe_lookup\"}, "
                + "\"pool\": \"pool1\"}"))).containsExactly("hook point session.created does not exist in EMQX 4.x "
                + "backends; use client.connected (e.g. backend.pgsql.hook.client.connected.2)");
    }

    @Test
    void unknownHookPointIsAnErrorWithAHint() {
        assertThat(messages(pg("message.publised", "{\"action\": {\"function\": \"on_message_publish\"}, "
                + "\"pool\": \"pool1\"}"))).containsExactly("unknown hook point 'message.publised' (did you mean "
                + "'message.publish'?); known: client.connected, client.disconnected, session.subscribed, "
                + "session.unsubscribed, message.publish, message.delivered, message.acked");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/#/b", "a/b#", "a+/b", "+a"})
    void invalidTopicFilterIsAnError(String filter) {
        assertThat(messages(pg("message.publish", "{\"topic\": \"" + filter
                + "\", \"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}")))
                .singleElement().asString().startsWith("topic '" + filter + "' is not a valid MQTT topic filter: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a/+/b", "a/#", "+/+/#", "/a", "sensors/+/temperature"})
    void validTopicFilterIsKept(String filter) {
        assertThat(hook(pg("message.publish", "{\"topic\": \"" + filter
                + "\", \"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}")).topicFilter())
                .contains(filter);
    }

    @Test
    void topicThatIsNotAStringIsAnError() {
        assertThat(messages(pg("message.publish",
                "{\"topic\": 1, \"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}")))
                .containsExactly("topic must be a string (an MQTT topic filter)");
    }

    @Test
    void actionMustBePresentAndHoldExactlyOneKnownKey() {
        assertThat(messages(pg("message.publish", "{\"pool\": \"pool1\"}")))
                .containsExactly("action is missing; give {\"function\": ...} or {\"sql\": [...]}");
        assertThat(messages(mongo("message.publish", "{\"pool\": \"pool1\"}")))
                .containsExactly("action is missing; give {\"function\": ...} (only functions exist for MongoDB)");
        assertThat(messages(pg("message.publish", "{\"action\": \"on_message_publish\", \"pool\": \"pool1\"}")))
                .containsExactly("action must be a JSON object with one of: function, sql, cql, commands");
        assertThat(messages(pg("message.publish", "{\"action\": {\"function\": \"on_message_publish\", "
                + "\"sql\": [\"select 1\"]}, \"pool\": \"pool1\"}")))
                .containsExactly("action must have exactly one of function, sql, cql, commands; found function, sql");
        assertThat(messages(pg("message.publish",
                "{\"action\": {\"fn\": \"on_message_publish\"}, \"pool\": \"pool1\"}")))
                .containsExactly("unknown key 'fn' in action; known: function, sql, cql, commands",
                        "action must have exactly one of function, sql, cql, commands");
    }

    @Test
    void functionOfAnotherDatabaseDoesNotExist() {
        assertThat(messages(pg("session.subscribed", "{\"action\": {\"function\": \"on_message_fetch_for_queue\"}, "
                + "\"pool\": \"pool1\"}")))
                .containsExactly("function 'on_message_fetch_for_queue' does not exist for pgsql");
        assertThat(messages(redis("session.subscribed", "{\"action\": {\"function\": \"on_message_fetch\"}, "
                + "\"pool\": \"pool1\"}"))).containsExactly("function 'on_message_fetch' does not exist for redis");
        assertThat(messages(pg("message.publish", "{\"action\": {\"function\": \"on_mesage_publish\"}, "
                + "\"pool\": \"pool1\"}"))).containsExactly(
                "function 'on_mesage_publish' does not exist for pgsql (did you mean 'on_message_publish'?)");
    }

    @Test
    void functionOnTheWrongHookPointIsAnError() {
        assertThat(messages(pg("message.publish", "{\"action\": {\"function\": \"on_message_fetch\"}, "
                + "\"pool\": \"pool1\"}"))).containsExactly(
                "function 'on_message_fetch' works on session.subscribed only, not on message.publish");
    }

    @Test
    void statementLanguageMustFitTheDatabase() {
        assertThat(messages(redis("session.unsubscribed", "{\"action\": {\"sql\": [\"delete from x\"]}, "
                + "\"pool\": \"pool1\"}"))).containsExactly("'sql' statements do not run on redis; use 'commands'");
        assertThat(messages(pg("session.unsubscribed", "{\"action\": {\"cql\": [\"delete from x\"]}, "
                + "\"pool\": \"pool1\"}"))).containsExactly("'cql' statements do not run on pgsql; use 'sql'");
        assertThat(messages(mongo("session.unsubscribed", "{\"action\": {\"sql\": [\"delete from x\"]}, "
                + "\"pool\": \"pool1\"}"))).containsExactly(
                "MongoDB hooks cannot run 'sql' statements: only functions exist for MongoDB");
    }

    @Test
    void statementsMustBeNonEmptyStrings() {
        assertThat(messages(pg("session.unsubscribed", "{\"action\": {\"sql\": [1]}, \"pool\": \"pool1\"}")))
                .containsExactly("action.sql must be an array of strings");
        assertThat(messages(pg("session.unsubscribed", "{\"action\": {\"sql\": []}, \"pool\": \"pool1\"}")))
                .containsExactly("action.sql must hold non-empty statements");
        assertThat(messages(redis("session.unsubscribed", "{\"action\": {\"commands\": [\"pipeline\"]}, "
                + "\"pool\": \"pool1\"}"))).containsExactly("action.commands must hold non-empty statements");
    }

    @Test
    void leadingPipelineOfRedisCommandsIsRemovedAndSetsPipeline() {
        HookConfig hook = hook(redis("message.publish", "{\"action\": {\"commands\": [\"pipeline\", "
                + "\"HMSET mqtt:msg:${msgid} ${message}\", \"EXPIRE mqtt:msg:${msgid} 60\"]}, \"pool\": \"pool1\"}"));

        assertThat(hook.action()).isEqualTo(new ActionSpec.Statements(Language.COMMANDS,
                List.of("HMSET mqtt:msg:${msgid} ${message}", "EXPIRE mqtt:msg:${msgid} 60"), true));
    }

    @Test
    void unknownPlaceholderIsAnErrorListingTheAvailableOnes() {
        assertThat(messages(pg("client.connected", "{\"action\": {\"sql\": [\"insert into t values (${client})\"]}, "
                + "\"pool\": \"pool1\"}"))).containsExactly("unknown placeholder ${client} in 'insert into t values "
                + "(${client})'; available at client.connected: ${clientid}, ${username}, ${peerhost}, ${node}, "
                + "${timestamp}");
    }

    @Test
    void placeholderWithoutValueAtTheHookPointIsAnError() {
        assertThat(messages(pg("session.subscribed", "{\"action\": {\"sql\": [\"insert into t values (${msgid})\"]}, "
                + "\"pool\": \"pool1\"}"))).containsExactly("${msgid} has no value at session.subscribed; available: "
                + "${clientid}, ${username}, ${peerhost}, ${node}, ${timestamp}, ${topic}, ${qos}");
    }

    @Test
    void messagePlaceholderExistsOnlyInRedisCommands() {
        assertThat(messages(pg("message.publish", "{\"action\": {\"sql\": [\"insert into t values (${message})\"]}, "
                + "\"pool\": \"pool1\"}"))).containsExactly("${message} exists only in Redis commands");
        assertThat(hook(redis("message.publish", "{\"action\": {\"commands\": [\"HMSET mqtt:${msgid} ${message}\"]}, "
                + "\"pool\": \"pool1\"}")).actionName()).isEqualTo("commands");
    }

    @Test
    void quotedPlaceholderInSqlIsAnErrorButNotInRedisCommands() {
        assertThat(messages(pg("session.unsubscribed", "{\"action\": {\"sql\": [\"delete from mqtt_acked where "
                + "clientid = '${clientid}' and topic = ${topic}\"]}, \"pool\": \"pool1\"}")))
                .containsExactly("write ${clientid} unquoted: it is bound as a parameter");
        assertThat(hook(redis("session.unsubscribed", "{\"action\": {\"commands\": [\"SET k:${clientid} "
                + "'${topic}'\"]}, \"pool\": \"pool1\"}")).actionName()).isEqualTo("commands");
    }

    @Test
    void quotedPlaceholderInCqlIsAnError() {
        assertThat(Confs.errors("backend.ecql.pool1.nodes = c",
                "backend.cassa.hook.session.unsubscribed.1 = {\"action\": {\"cql\": [\"delete from acked where "
                        + "clientid = ${clientid} and topic = '${topic}'\"]}, \"pool\": \"pool1\"}"))
                .extracting(ConfigError::message)
                .containsExactly("write ${topic} unquoted: it is bound as a parameter");
    }

    @Test
    void hookNamingAMissingPoolIsAnError() {
        assertThat(messages(pg("message.publish", "{\"action\": {\"function\": \"on_message_publish\"}, "
                + "\"pool\": \"pool9\"}"))).containsExactly("hook names pool 'pool9' but no backend.pgsql.pool9.* is "
                + "configured");
        assertThat(messages(pg("message.publish", "{\"action\": {\"function\": \"on_message_publish\"}}")))
                .containsExactly("pool must name a pool, e.g. \"pool\": \"pool1\"");
    }

    @Test
    void cassandraHookNeedsAnEcqlPoolNotAPoolOfAnotherDatabase() {
        assertThat(Confs.errors(PG_POOL, "backend.cassa.hook.message.publish.1 = {\"action\": {\"function\": "
                + "\"on_message_publish\"}, \"pool\": \"pool1\"}")).extracting(ConfigError::message)
                .containsExactly("hook names pool 'pool1' but no backend.ecql.pool1.* is configured");
    }

    @Test
    void offlineOptsAreParsedAndUnknownKeysInsideIgnored() {
        HookConfig hook = hook(pg("session.subscribed", "{\"topic\": \"#\", \"action\": {\"function\": "
                + "\"on_message_fetch\"}, \"offline_opts\": {\"max_returned_count\": 20, \"time_range\": \"1h30m\", "
                + "\"extra\": true}, \"pool\": \"pool1\"}"));

        assertThat(hook.offlineOpts())
                .isEqualTo(new OfflineOpts(OptionalInt.of(20), Optional.of(Duration.ofMinutes(90))));
    }

    @ParameterizedTest
    @CsvSource({"2h, PT2H", "30m, PT30M", "7d, PT168H", "45s, PT45S"})
    void timeRangeUnitsAreDaysHoursMinutesSeconds(String text, Duration expected) {
        HookConfig hook = hook(pg("session.subscribed", "{\"action\": {\"function\": \"on_message_fetch\"}, "
                + "\"offline_opts\": {\"time_range\": \"" + text + "\"}, \"pool\": \"pool1\"}"));

        assertThat(hook.offlineOpts().timeRange()).contains(expected);
        assertThat(hook.offlineOpts().maxReturnedCount()).isEmpty();
    }

    @Test
    void badOfflineOptsValuesAreErrors() {
        assertThat(messages(pg("session.subscribed", "{\"action\": {\"function\": \"on_message_fetch\"}, "
                + "\"offline_opts\": {\"max_returned_count\": 0, \"time_range\": \"2 hours\"}, \"pool\": \"pool1\"}")))
                .containsExactly("offline_opts.max_returned_count must be a positive integer, not 0",
                        "offline_opts.time_range must be a duration like \"2h\", \"30m\", \"7d\" or \"45s\", "
                                + "not \"2 hours\"");
        assertThat(messages(pg("session.subscribed", "{\"action\": {\"function\": \"on_message_fetch\"}, "
                + "\"offline_opts\": 500, \"pool\": \"pool1\"}"))).containsExactly("offline_opts must be a JSON "
                + "object like {\"max_returned_count\": 500, \"time_range\": \"2h\"}");
    }

    @Test
    void offlineOptsOnAnythingButOnMessageFetchIsAnError() {
        assertThat(messages(pg("session.subscribed", "{\"action\": {\"function\": \"on_retain_lookup\"}, "
                + "\"offline_opts\": {\"max_returned_count\": 5}, \"pool\": \"pool1\"}")))
                .containsExactly("offline_opts applies only to function on_message_fetch");
    }

    @Test
    void expiredTimeIsRedisOnlyAndNonPositiveBecomes7200() {
        assertThat(hook(redis("message.publish", "{\"action\": {\"function\": \"on_message_publish\"}, "
                + "\"expired_time\": 0, \"pool\": \"pool1\"}")).expiredTime()).hasValue(7200);
        assertThat(hook(redis("message.publish", "{\"action\": {\"function\": \"on_message_publish\"}, "
                + "\"expired_time\": -5, \"pool\": \"pool1\"}")).expiredTime()).hasValue(7200);
        assertThat(messages(redis("message.publish", "{\"action\": {\"function\": \"on_message_publish\"}, "
                + "\"expired_time\": \"1h\", \"pool\": \"pool1\"}")))
                .containsExactly("expired_time must be an integer number of seconds, not \"1h\"");
        assertThat(messages(pg("message.publish", "{\"action\": {\"function\": \"on_message_publish\"}, "
                + "\"expired_time\": 60, \"pool\": \"pool1\"}")))
                .containsExactly("expired_time applies only to redis hooks");
    }

    @Test
    void payloadFormatIsMongoOnly() {
        assertThat(hook(mongo("message.publish", "{\"action\": {\"function\": \"on_message_publish\"}, "
                + "\"payload_format\": \"mongo_json\", \"pool\": \"pool1\"}")).payloadFormat())
                .contains(PayloadFormat.MONGO_JSON);
        assertThat(messages(mongo("message.publish", "{\"action\": {\"function\": \"on_message_publish\"}, "
                + "\"payload_format\": \"bson\", \"pool\": \"pool1\"}")))
                .containsExactly("payload_format must be \"mongo_json\" or \"plain_text\", not \"bson\"");
        assertThat(messages(pg("message.publish", "{\"action\": {\"function\": \"on_message_publish\"}, "
                + "\"payload_format\": \"plain_text\", \"pool\": \"pool1\"}")))
                .containsExactly("payload_format applies only to mongo hooks");
        assertThat(messages(mongo("session.subscribed", "{\"action\": {\"function\": \"on_message_fetch\"}, "
                + "\"payload_format\": \"mongo_json\", \"pool\": \"pool1\"}")))
                .containsExactly("payload_format applies only to functions on_message_publish, on_message_retain, "
                        + "on_message_store");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"topic\": \"a/#/b\", \"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}"
                    + " | TOPIC_FILTER",
            "{\"action\": {}, \"pool\": \"pool1\"} | ACTION",
            "{\"action\": {\"function\": \"on_message_fetch\"}, \"pool\": \"pool1\"} | FUNCTION",
            "{\"action\": {\"cql\": [\"select 1\"]}, \"pool\": \"pool1\"} | LANGUAGE",
            "{\"action\": {\"sql\": [\"insert into t values (${nope})\"]}, \"pool\": \"pool1\"} | TEMPLATE",
            "{\"action\": {\"sql\": [\"insert into t values ('${topic}')\"]}, \"pool\": \"pool1\"} | TEMPLATE",
            "{\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool9\"} | POOL_REFERENCE",
            "{\"action\": {\"function\": \"on_message_publish\"}, \"expired_time\": 5, \"pool\": \"pool1\"}"
                    + " | OPTION",
            "{\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\", \"x\": 1} | INVALID"})
    void everyHookProblemHasTheCategoryAFrontEndNamesIt(String json, ConfigError.Category category) {
        assertThat(Confs.errors(PG_POOL, pg("message.publish", json))).extracting(ConfigError::category)
                .containsExactly(category);
    }

    @Test
    void everyProblemOfOneHookLineIsReportedTogether() {
        List<ConfigError> errors = Confs.errors(PG_POOL, pg("message.publish", "{\"topic\": \"a/#/b\", "
                + "\"action\": {\"function\": \"on_nothing\"}, \"pool\": \"pool9\", \"expired_time\": 5, \"x\": 1}"));

        assertThat(errors).hasSize(5).allSatisfy(e -> assertThat(e.location())
                .isEqualTo(new ConfigLocation(FILE, 2, "backend.pgsql.hook.message.publish.1")));
    }
}
