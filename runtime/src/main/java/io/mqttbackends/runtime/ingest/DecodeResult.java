package io.mqttbackends.runtime.ingest;

import io.mqttbackends.runtime.event.Event;
import java.util.Objects;

/**
 * What a decoder made of one publish: an event, a deliberate skip, input it could not understand, input from a
 * source it does not trust, or an event it will not store.
 */
public sealed interface DecodeResult permits DecodeResult.Decoded, DecodeResult.Skipped, DecodeResult.Malformed,
        DecodeResult.Untrusted, DecodeResult.Refused {

    /** The publish carried {@code event}. */
    record Decoded(Event event) implements DecodeResult {
        public Decoded {
            Objects.requireNonNull(event, "event");
        }
    }

    /** The publish is valid but not for us (our own replay, an event no hook point consumes); ack it silently. */
    record Skipped(String reason) implements DecodeResult {
    }

    /**
     * The publish could not be decoded.
     *
     * @param kind   short stable word for metrics and log-once: {@code not-json}, {@code missing-field},
     *               {@code bad-field}, {@code unknown-event}, {@code bad-topic}, {@code internal}
     * @param detail human-readable specifics (field name, offending value)
     */
    record Malformed(String kind, String detail) implements DecodeResult {
    }

    /**
     * The publish did not prove it comes from a trusted source (see {@code mqttbackends.ingest.token}); acked and
     * counted, never decoded.
     *
     * @param kind   {@code missing-token} or {@code wrong-token}, for metrics and log-once
     * @param detail human-readable specifics
     */
    record Untrusted(String kind, String detail) implements DecodeResult {
    }

    /**
     * The publish carried an event the runtime will not store: acked, counted and dead-lettered without what made
     * it refused.
     *
     * @param event  the event, its message payload left out
     * @param reason short stable word for metrics: {@code payload-too-large}
     * @param size   the size of what was refused (the payload's bytes)
     * @param limit  the setting's value it was over
     */
    record Refused(Event event, String reason, long size, long limit) implements DecodeResult {
        public Refused {
            Objects.requireNonNull(event, "event");
        }
    }
}
