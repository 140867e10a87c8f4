package io.mqttbackends.runtime.backend.redis;

import io.vertx.mutiny.redis.client.Request;
import java.util.List;

/**
 * What one event writes to a Redis pool: its commands, in order. {@link RedisPool#apply} pipelines the writes of many
 * events; a write whose commands must each wait for the previous reply (a {@code commands} action without
 * {@code "pipeline"}, EMQX's behaviour) is sent command by command in its place.
 *
 * @param commands  the event's commands, in order
 * @param pipelined whether the commands may go out together
 */
record RedisWrite(List<Request> commands, boolean pipelined) {

    RedisWrite {
        commands = List.copyOf(commands);
    }
}
