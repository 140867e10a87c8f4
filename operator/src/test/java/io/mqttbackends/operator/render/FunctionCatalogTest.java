package io.mqttbackends.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.operator.api.v1alpha1.HookPoint;
import io.mqttbackends.operator.api.v1alpha1.PoolType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FunctionCatalogTest {

    @Test
    void pgsqlAndMysqlHaveTheElevenSqlFunctionsOfSpecSection2() {
        assertThat(FunctionCatalog.functions(PoolType.PGSQL)).containsExactlyInAnyOrder(
                "on_client_connected", "on_subscribe_lookup", "on_client_disconnected", "on_message_fetch",
                "on_retain_lookup", "on_message_publish", "on_message_store", "on_message_retain",
                "on_retain_delete", "on_message_acked", "on_message_delivered");
        assertThat(FunctionCatalog.functions(PoolType.MYSQL)).isEqualTo(FunctionCatalog.functions(PoolType.PGSQL));
    }

    @Test
    void redisHasItsQueuePubsubAndKeepLatestVariantsAndNoPlainFetch() {
        assertThat(FunctionCatalog.functions(PoolType.REDIS)).contains("on_message_fetch_for_queue",
                "on_message_acked_for_keep_latest", "on_message_store_keep_latest").doesNotContain("on_message_fetch");
    }

    @Test
    void cassandraAlsoAcceptsTheSubscriptionLookupSpellingOfEmqsDefaultConf() {
        assertThat(FunctionCatalog.functions(PoolType.CASSANDRA)).contains("on_subscription_lookup",
                "on_subscribe_lookup");
        assertThat(FunctionCatalog.functions(PoolType.MONGO)).contains("on_acked_delete");
    }

    @Test
    void everyFunctionOfEveryDatabaseHasItsHookPoint() {
        Arrays.stream(PoolType.values()).flatMap(t -> FunctionCatalog.functions(t).stream())
                .forEach(f -> assertThat(FunctionCatalog.hookPoint(f)).as(f).isPresent());
        assertThat(FunctionCatalog.hookPoint("on_message_fetch")).contains(HookPoint.SESSION_SUBSCRIBED);
    }
}
