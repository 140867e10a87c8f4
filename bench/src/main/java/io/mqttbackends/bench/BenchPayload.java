package io.mqttbackends.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The payload of every benchmark message: {@code <16 digits publish time, epoch µs> <10 digits sequence> } then
 * {@code x} up to the payload size. ASCII, so every database stores and returns it unchanged whatever its payload
 * column type, and SQL can read the publish time back ({@code substring(payload, 1, 16)}) to compute latency where
 * the row is. The sequence (per publisher, hence per topic) identifies a message independently of the msgid the
 * runtime mints, so a message lost and another stored twice cannot cancel out in the verification.
 */
public final class BenchPayload {
    /** Bytes of the header; the smallest payload the benchmark accepts. */
    public static final int HEADER_BYTES = 28;
    /** 1-based position and length of the sequence digits, as SQL {@code substring} takes them. */
    public static final int SEQUENCE_FROM = 18;
    public static final int SEQUENCE_DIGITS = 10;
    private static final int TIME_DIGITS = 16;

    private BenchPayload() {
    }

    public static byte[] encode(long publishMicros, long sequence, int size) {
        if (size < HEADER_BYTES) {
            throw new IllegalArgumentException("payload size " + size + " is below the " + HEADER_BYTES
                    + "-byte header (publish time and sequence)");
        }
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        String header = String.format("%016d %010d ", publishMicros, sequence);
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, bytes, 0, HEADER_BYTES);
        return bytes;
    }

    public static long publishMicros(byte[] payload) {
        return digits(payload, 0, TIME_DIGITS);
    }

    public static long sequence(byte[] payload) {
        return digits(payload, SEQUENCE_FROM - 1, SEQUENCE_DIGITS);
    }

    private static long digits(byte[] payload, int from, int length) {
        if (payload.length < from + length) {
            throw new IllegalArgumentException("not a benchmark payload: " + payload.length + " bytes");
        }
        long value = 0;
        for (int i = from; i < from + length; i++) {
            int d = payload[i] - '0';
            if (d < 0 || d > 9) {
                throw new IllegalArgumentException("not a benchmark payload: byte " + i + " is not a digit");
            }
            value = value * 10 + d;
        }
        return value;
    }
}
