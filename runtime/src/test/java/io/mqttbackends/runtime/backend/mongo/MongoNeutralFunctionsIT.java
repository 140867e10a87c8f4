package io.mqttbackends.runtime.backend.mongo;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.FunctionsContract;
import io.mqttbackends.runtime.testing.MongoTestDatabase;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.vertx.mutiny.core.Vertx;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The database-neutral functions contract on the run's MongoDB ({@link io.mqttbackends.runtime.testing.MongoTestServer}),
 * in a database of each test's own ({@link MongoTestDatabase}, named by the test run rather than by
 * {@code uniqueName}, so that the run's exit hook drops it even when a test dies halfway). The cursor probe reads
 * {@code mqtt_acked.mongo_id} as the msgid of the {@code mqtt_msg} with that {@code _id}.
 */
class MongoNeutralFunctionsIT extends FunctionsContract {

    @Override
    protected DatabaseKind kind() {
        return DatabaseKind.MONGO;
    }

    @Override
    protected FreshStore openFreshStore(Vertx vertx, String uniqueName) {
        MongoTestDatabase database = MongoTestDatabase.create();
        try {
            // Conf lines cannot carry an empty value, and an empty key means "left at its default" anyway.
            Map<String, String> keys = database.poolSettings().entrySet().stream()
                    .filter(e -> !e.getValue().isEmpty())
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            var pool = new MongoBackend(vertx).open(poolConfig(keys), PoolRuns.context());
            return new FreshStore(pool, new MongoProbes(database.connect()), database::close);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    @Override
    protected String function(Role role) {
        return switch (role) {
            case CONNECT -> "on_client_connected";
            case DISCONNECT -> "on_client_disconnected";
            case SUBSCRIBE_LOOKUP -> "on_subscribe_lookup";
            case STORE -> "on_message_publish";
            case FETCH -> "on_message_fetch";
            case ACK -> "on_message_acked";
            case RETAIN -> "on_message_retain";
            case RETAIN_DELETE -> "on_retain_delete";
            case RETAIN_LOOKUP -> "on_retain_lookup";
        };
    }
}
