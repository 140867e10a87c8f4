package io.mqttbackends.runtime.hook;

import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.MessagePublish;
import io.mqttbackends.runtime.event.SessionSubscribed;
import java.util.function.Predicate;

/**
 * The conditions under which EMQX 4.x ran a built-in function, shared by every database so that no backend repeats
 * them (docs/postgresql.md "Functions", docs/redis.md "Offline modes"). Statement templates always run.
 */
final class FunctionGuards {
    private FunctionGuards() {
    }

    static Predicate<Event> forAction(DatabaseKind kind, ActionSpec action) {
        if (!(action instanceof ActionSpec.Function function)) {
            return e -> true;
        }
        String name = function.name();
        if (name.equals("on_message_publish")) {
            // Redis and Cassandra also keep QoS 0 retained messages: their retain record only points at the
            // stored message, which the retain lookup then reads.
            return kind == DatabaseKind.REDIS || kind == DatabaseKind.CASSANDRA
                    ? published(m -> (m.message().qos() > 0 || m.message().retain()) && !isRetainedDelete(m))
                    : published(m -> m.message().qos() > 0 && !isRetainedDelete(m));
        }
        if (name.equals("on_message_retain")) {
            return published(m -> m.message().retain() && m.message().payload().length > 0);
        }
        if (name.equals("on_retain_delete")) {
            return published(FunctionGuards::isRetainedDelete);
        }
        if (name.startsWith("on_message_fetch")) {
            // Offline messages go only to QoS>0 subscriptions that did not exist before (EMQX is_new / first).
            return e -> e instanceof SessionSubscribed s && s.qos() > 0 && s.isNew();
        }
        return e -> true;
    }

    private static boolean isRetainedDelete(MessagePublish m) {
        return m.message().retain() && m.message().payload().length == 0;
    }

    private static Predicate<Event> published(Predicate<MessagePublish> condition) {
        return e -> e instanceof MessagePublish m && condition.test(m);
    }
}
