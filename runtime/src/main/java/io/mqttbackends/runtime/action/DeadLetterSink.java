package io.mqttbackends.runtime.action;

import io.smallrye.mutiny.Uni;

/**
 * Where given-up events go, so that an operator can see and replay them (the port the action stage and the pipeline
 * publish through; the broker adapter implements it).
 */
public interface DeadLetterSink {

    /** Records the dead letter; completes when it is recorded or recording failed (logged), never fails. */
    Uni<Void> publish(DeadLetter letter);
}
