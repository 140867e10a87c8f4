package io.mqttbackends.runtime.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Mints message ids shaped like EMQX 5's {@code emqx_guid}: 128 bits = 64-bit microsecond timestamp, 48 bits of
 * node/process hash, 16-bit sequence, as 32 upper-case hex characters. Ids are strictly increasing within the process,
 * even for many ids in one microsecond or when the clock steps back, so they sort chronologically as text.
 */
public final class GuidGenerator {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final Clock clock;
    private final long nodeHash;
    private long lastMicros;
    private int sequence;

    /** @param node the runtime's node name, hashed with the process id into the middle 48 bits */
    public GuidGenerator(String node) {
        this(node, Clock.systemUTC());
    }

    GuidGenerator(String node, Clock clock) {
        this.clock = clock;
        this.nodeHash = hash48(node + "/" + ProcessHandle.current().pid());
    }

    /** The next id. */
    public synchronized String next() {
        Instant now = clock.instant();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        if (micros > lastMicros) {
            lastMicros = micros;
            sequence = 0;
        } else if (sequence < 0xFFFF) {
            sequence++;
        } else {
            // sequence exhausted within one microsecond (or the clock went back): borrow the next microsecond
            lastMicros++;
            sequence = 0;
        }
        return HEX.toHexDigits(lastMicros) + HEX.toHexDigits(nodeHash).substring(4)
                + HEX.toHexDigits((short) sequence);
    }

    private static long hash48(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long hash = 0;
            for (int i = 0; i < 6; i++) {
                hash = hash << 8 | (digest[i] & 0xFF);
            }
            return hash;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }
}
