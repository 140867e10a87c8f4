package io.mqttbackends.runtime.action;

/**
 * Why an event was refused at ingestion: its message payload is over {@code mqttbackends.ingest.max-payload-size}.
 * The dead-letter record of such an event carries {@link #size()} in place of the payload.
 */
public final class PayloadTooLargeException extends RuntimeException {
    private final long size;

    public PayloadTooLargeException(long size, long limit) {
        super("payload of " + size + " bytes is over mqttbackends.ingest.max-payload-size (" + limit + " bytes)",
                null, false, false);
        this.size = size;
    }

    /** The refused payload's size in bytes. */
    public long size() {
        return size;
    }
}
