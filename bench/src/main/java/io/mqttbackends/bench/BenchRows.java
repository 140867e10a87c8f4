package io.mqttbackends.bench;

/**
 * The rows the database ceiling writes: the same N messages the publishers send (same topics, sequences and
 * payload size), in the columns the runtime fills, generated on demand so N does not have to fit in memory twice.
 */
public record BenchRows(long count, int publishers, int payloadBytes, String topicPrefix) {

    /** One message as the runtime stores it ({@code arrived} in epoch milliseconds). */
    public record Row(String msgid, String sender, String topic, int qos, int retain, byte[] payload,
            long arrivedMillis) {
    }

    public Row row(long index) {
        long now = EpochMicros.now();
        int publisher = (int) (index % publishers);
        long sequence = index / publishers;
        return new Row(String.format("%016X%016X", now, index), "bench-pub-" + publisher,
                topicPrefix + "/" + publisher, 1, 0, BenchPayload.encode(now, sequence, payloadBytes), now / 1000);
    }
}
