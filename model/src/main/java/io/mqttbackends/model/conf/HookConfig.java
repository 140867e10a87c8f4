package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.HookPoint;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One hook line, e.g. {@code backend.pgsql.hook.message.publish.1 = {...}}.
 *
 * @param kind          the database kind of the line's prefix
 * @param hookPoint     the hook point
 * @param suffix        the free suffix after the hook point ({@code 1}); hooks run ordered by it
 * @param topicFilter   the {@code topic} filter, if given (ignored for connect/disconnect)
 * @param action        function or statements
 * @param pool          the pool name the action runs on
 * @param offlineOpts   {@code offline_opts} ({@link OfflineOpts#NONE} when absent)
 * @param expiredTime   Redis {@code expired_time} in seconds, if given
 * @param payloadFormat MongoDB {@code payload_format}, if given
 * @param location      the line
 */
public record HookConfig(DatabaseKind kind, HookPoint hookPoint, String suffix, Optional<String> topicFilter,
        ActionSpec action, String pool, OfflineOpts offlineOpts, OptionalInt expiredTime,
        Optional<PayloadFormat> payloadFormat, ConfigLocation location) {

    /** A name for logs and metrics: the function name, or the statement language. */
    public String actionName() {
        return action.displayName();
    }

    /** Redis {@code expired_time} in seconds, or EMQX's default when the hook has none. */
    public int expiredSeconds() {
        return expiredTime.orElse(HookParser.DEFAULT_EXPIRED_TIME);
    }
}
