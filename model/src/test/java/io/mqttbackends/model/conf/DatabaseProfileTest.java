package io.mqttbackends.model.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.FunctionCatalog;
import io.mqttbackends.model.conf.ActionSpec.Language;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** What differs between the databases is the EMQX 4.x key names and rules of each (docs/postgresql.md, mysql.md,
 * redis.md, mongodb.md, cassandra.md). */
class DatabaseProfileTest {

    @ParameterizedTest
    @CsvSource({
            // kind,    server, one, pool size,   user,     database, CA file,    verify, language, options
            "MYSQL,     server, true,  pool_size,   user,     database, cacertfile, true,   SQL,      OFFLINE_OPTS",
            "PGSQL,     server, true,  pool_size,   username, database, cacertfile, true,   SQL,      OFFLINE_OPTS",
            "REDIS,     server, false, pool_size,   ,         database, cafile,     true,   COMMANDS, EXPIRED_TIME",
            "MONGO,     server, false, c_pool_size, login,    database, cacertfile, false,  ,         "
                    + "OFFLINE_OPTS PAYLOAD_FORMAT",
            "CASSANDRA, nodes,  false, size,        username, keyspace, cafile,     true,   CQL,      OFFLINE_OPTS"})
    void eachDatabaseHasEmqxsKeyNamesLanguageAndHookOptions(DatabaseKind kind, String serverKey, boolean single,
            String poolSizeKey, String userKey, String databaseKey, String caFileKey, boolean verify,
            Language language, String options) {
        DatabaseProfile profile = DatabaseProfile.of(kind);

        assertThat(profile.kind()).isEqualTo(kind);
        assertThat(profile.serverKey()).isEqualTo(serverKey);
        assertThat(profile.singleServer()).isEqualTo(single);
        assertThat(profile.poolSizeKey()).isEqualTo(poolSizeKey);
        assertThat(profile.userKey()).isEqualTo(Optional.ofNullable(userKey));
        assertThat(profile.databaseKey()).isEqualTo(databaseKey);
        assertThat(profile.caFileKey()).isEqualTo(caFileKey);
        assertThat(profile.hasVerify()).isEqualTo(verify);
        assertThat(profile.statementLanguage()).isEqualTo(Optional.ofNullable(language));
        assertThat(profile.hookOptions()).containsExactlyInAnyOrderElementsOf(
                List.of(options.split(" ")).stream().map(HookOption::valueOf).toList());
        assertThat(profile.functions()).isEqualTo(FunctionCatalog.functions(kind));
    }

    @Test
    void thisBuildHasABackendForEveryDatabase() {
        assertThat(DatabaseProfile.availableKinds()).containsExactlyInAnyOrder(DatabaseKind.values());
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void everyDatabaseSharesTheBoundedBatchingAndTimeoutKeysAndBoundsItsPoolSize(DatabaseKind kind) {
        Map<String, PoolKey> keys = DatabaseProfile.of(kind).poolKeys();

        assertThat(List.copyOf(keys.keySet()).subList(0, 4))
                .containsExactly("schema.init", "batch_size", "batch_time", "call_timeout");
        assertThat(keys.get("batch_size").range()).contains(new PoolKey.Range(1, 10_000, ""));
        assertThat(keys.get("batch_time").range()).contains(new PoolKey.Range(0, 60_000, "ms"));
        assertThat(keys.get("call_timeout").range()).contains(new PoolKey.Range(100, 600_000, "ms"));
        assertThat(keys.get(DatabaseProfile.of(kind).poolSizeKey()).range())
                .contains(new PoolKey.Range(1, DatabaseProfile.MAX_POOL_SIZE, ""));
    }

    @Test
    void onlyMongoHasGlobalKeysAndItsSectionIsTopology() {
        assertThat(DatabaseProfile.of(DatabaseKind.MONGO).globalKeys()).hasValueSatisfying(g -> {
            assertThat(g.section()).isEqualTo("topology");
            assertThat(g.keys()).containsKeys("pool_size", "connect_timeout_ms");
        });
        assertThat(DatabaseProfile.of(DatabaseKind.PGSQL).globalKeys()).isEmpty();
    }

    @Test
    void kindsAcceptingAnOptionAreListedInKindOrder() {
        assertThat(DatabaseProfile.kindsAccepting(HookOption.OFFLINE_OPTS)).containsExactly(
                DatabaseKind.MYSQL, DatabaseKind.PGSQL, DatabaseKind.MONGO, DatabaseKind.CASSANDRA);
        assertThat(DatabaseProfile.kindsAccepting(HookOption.EXPIRED_TIME)).containsExactly(DatabaseKind.REDIS);
    }

    @Test
    void aProfileNamingAKeyItsPoolsDoNotHaveIsAProgrammingError() {
        DatabaseProfile pgsql = DatabaseProfile.of(DatabaseKind.PGSQL);

        assertThatThrownBy(() -> new DatabaseProfile(pgsql.kind(), pgsql.title(), true, pgsql.poolKeys(), Map.of(),
                "server", "pool_size", Optional.of("login"), "database", "cacertfile", Optional.empty(),
                Optional.of(Language.SQL), Set.of(), Set.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'login'");
    }
}
