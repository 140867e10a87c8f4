package io.mqttbackends.runtime.hook;

import io.mqttbackends.model.MqttTopics;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.PoolAction;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.runtime.event.Event;
import java.util.function.Predicate;

/**
 * A hook line compiled against its pool: when it applies (topic filter and function guard) and what it runs.
 *
 * @param <W> the pool's write type
 */
public record BoundHook<W>(HookConfig config, BackendPool<W> pool, PoolAction<W> action, Predicate<Event> guard) {

    /** Compiles {@code config} against {@code pool} ({@link BackendPool#prepare}). */
    static <W> BoundHook<W> bind(HookConfig config, BackendPool<W> pool, Predicate<Event> guard) {
        return new BoundHook<>(config, pool, pool.prepare(config), guard);
    }


    /** Whether this hook runs for the event: the topic filter matches (where the hook point has a topic) and the guard holds. */
    public boolean appliesTo(Event event) {
        if (config.hookPoint().hasTopic() && config.topicFilter().isPresent()) {
            String topic = event.topic().orElse(null);
            if (topic == null || !MqttTopics.matches(config.topicFilter().get(), topic)) {
                return false;
            }
        }
        return guard.test(event);
    }

    /** The pool's qualified name, e.g. {@code pgsql.pool1}, for logs and metric tags. */
    public String poolName() {
        return pool.config().qualifiedName();
    }
}
