package io.mqttbackends.runtime.ingest;

/** Turns a publish of one {@link IngestFormat} into a {@link DecodeResult}. Implementations never throw. */
public interface EventDecoder {

    DecodeResult decode(IncomingPublish publish);
}
