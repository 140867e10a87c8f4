package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.FunctionCatalog;
import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.HookPoint;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The built-in functions per database are exactly the ones EMQX 4.x exported. */
class FunctionCatalogTest {

    private static final String[] SQL_FUNCTIONS = {"on_client_connected", "on_subscribe_lookup",
            "on_client_disconnected", "on_message_fetch", "on_retain_lookup", "on_message_publish", "on_message_store",
            "on_message_retain", "on_retain_delete", "on_message_acked", "on_message_delivered"};

    @Test
    void mysqlAndPgsqlHaveTheMysqlFunctions() {
        assertThat(FunctionCatalog.functions(DatabaseKind.MYSQL)).containsExactlyInAnyOrder(SQL_FUNCTIONS);
        assertThat(FunctionCatalog.functions(DatabaseKind.PGSQL)).containsExactlyInAnyOrder(SQL_FUNCTIONS);
    }

    @Test
    void cassandraHasTheMysqlFunctionsAndBothSubscribeLookupNames() {
        assertThat(FunctionCatalog.functions(DatabaseKind.CASSANDRA))
                .containsAll(Arrays.asList(SQL_FUNCTIONS)).contains("on_subscription_lookup").hasSize(12);
    }

    @Test
    void redisHasQueuePubsubAndKeepLatestVariantsButNoPlainFetchOrAck() {
        assertThat(FunctionCatalog.functions(DatabaseKind.REDIS)).containsExactlyInAnyOrder(
                "on_client_connected", "on_subscribe_lookup", "on_client_disconnected",
                "on_message_fetch_for_queue", "on_message_fetch_for_pubsub", "on_message_fetch_for_keep_latest",
                "on_retain_lookup", "on_message_publish", "on_message_store_keep_latest", "on_message_retain",
                "on_retain_delete", "on_message_acked_for_queue", "on_message_acked_for_pubsub",
                "on_message_acked_for_keep_latest");
    }

    @Test
    void mongoHasAckedDeleteAndNoDelivered() {
        assertThat(FunctionCatalog.functions(DatabaseKind.MONGO)).containsExactlyInAnyOrder(
                "on_client_connected", "on_subscribe_lookup", "on_client_disconnected", "on_message_fetch",
                "on_retain_lookup", "on_acked_delete", "on_message_publish", "on_message_store", "on_message_retain",
                "on_retain_delete", "on_message_acked");
    }

    @Test
    void everyFunctionOfEveryDatabaseHasItsHookPoint() {
        for (DatabaseKind kind : DatabaseKind.values()) {
            assertThat(FunctionCatalog.functions(kind)).allSatisfy(f ->
                    assertThat(FunctionCatalog.hookPoint(f)).as(f).isPresent());
        }
        assertThat(FunctionCatalog.hookPoint("on_message_fetch_for_pubsub")).contains(HookPoint.SESSION_SUBSCRIBED);
        assertThat(FunctionCatalog.hookPoint("on_subscription_lookup")).contains(HookPoint.CLIENT_CONNECTED);
        assertThat(FunctionCatalog.hookPoint("on_message_store_keep_latest")).contains(HookPoint.MESSAGE_PUBLISH);
        assertThat(FunctionCatalog.hookPoint("on_message_acked_for_queue")).contains(HookPoint.MESSAGE_ACKED);
        assertThat(FunctionCatalog.hookPoint("on_message_delivered")).contains(HookPoint.MESSAGE_DELIVERED);
        assertThat(FunctionCatalog.hookPoint("on_client_disconnected")).contains(HookPoint.CLIENT_DISCONNECTED);
        assertThat(FunctionCatalog.hookPoint("on_acked_delete")).contains(HookPoint.SESSION_UNSUBSCRIBED);
        assertThat(FunctionCatalog.hookPoint("run_mysql_sql")).isEmpty();
    }

    @Test
    void onlyTheSubscribeLookupsSubscribeClients() {
        assertThat(FunctionCatalog.subscribesClients("on_subscribe_lookup")).isTrue();
        assertThat(FunctionCatalog.subscribesClients("on_subscription_lookup")).isTrue();
        assertThat(FunctionCatalog.subscribesClients("on_message_fetch")).isFalse();
    }
}
