package io.mqttbackends.runtime.action;

import io.mqttbackends.runtime.event.Event;
import java.util.Optional;

/**
 * An event the runtime gave up on, for the dead-letter record.
 *
 * @param where   the hook line ({@code file:line key}) whose action was given up, or the pipeline stage that failed
 * @param pool    the pool's qualified name, when an action on a pool was given up
 * @param action  the function or statement language, when an action was given up
 * @param event   the event
 * @param failure why
 */
public record DeadLetter(String where, Optional<String> pool, Optional<String> action, Event event,
        Throwable failure) {
}
