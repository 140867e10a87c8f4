package io.mqttbackends.bench.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TallyTest {

    /** Ten messages published at t = 0..9 s (µs), the given ones acknowledged. */
    private static SteadyLoad.Log log(String topic, int... acked) {
        long[] times = new long[10];
        for (int i = 0; i < times.length; i++) {
            times[i] = i * 1_000_000L;
        }
        BitSet bits = new BitSet();
        for (int a : acked) {
            bits.set(a);
        }
        return new SteadyLoad.Log(topic, times, bits);
    }

    @Test
    void countsSentStoredLostAndDuplicatedMessageByMessage() {
        SteadyLoad.Log a = log("f/0", 0, 1, 2, 3, 4, 5, 6, 7);
        SteadyLoad.Log b = log("f/1", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        List<FaultDb.Stored> rows = List.of(
                new FaultDb.Stored("f/0", 0, 1, 500_000L),
                new FaultDb.Stored("f/0", 1, 2, 1_500_000L),
                new FaultDb.Stored("f/0", 2, 1, 9_000_000L),
                // 3..7 acked and lost; 8 stored though never acknowledged
                new FaultDb.Stored("f/0", 8, 1, 9_100_000L),
                new FaultDb.Stored("f/1", 0, 1, 600_000L),
                new FaultDb.Stored("f/1", 1, 1, 1_600_000L),
                new FaultDb.Stored("f/1", 2, 3, 9_200_000L),
                new FaultDb.Stored("f/1", 3, 1, 9_300_000L),
                new FaultDb.Stored("f/1", 4, 1, 9_400_000L),
                new FaultDb.Stored("f/1", 5, 1, 9_500_000L),
                new FaultDb.Stored("f/1", 6, 1, 9_600_000L),
                new FaultDb.Stored("f/1", 7, 1, 9_700_000L),
                new FaultDb.Stored("f/1", 8, 1, 9_800_000L),
                new FaultDb.Stored("f/1", 9, 1, 9_900_000L));

        // fault lifted at 2.5 s; cut (reconnect) at 5 s
        Tally t = Tally.of(List.of(a, b), rows, 2_500_000L, 5_000_000L);

        assertThat(t.sent()).isEqualTo(18);
        assertThat(t.unconfirmed()).isEqualTo(2);
        assertThat(t.failed()).isZero();
        assertThat(t.stored()).isEqualTo(14);
        assertThat(t.storedUnacked()).isEqualTo(1);
        assertThat(t.lost()).isEqualTo(5);
        assertThat(t.lostSample()).containsExactly("f/0#3", "f/0#4", "f/0#5", "f/0#6", "f/0#7");
        assertThat(t.firstLostMicros()).isEqualTo(3_000_000L);
        assertThat(t.lastLostMicros()).isEqualTo(7_000_000L);
        assertThat(t.duplicated()).isEqualTo(3);
        assertThat(t.rows()).isEqualTo(17);
        // first insert at or after the lift: f/0#2 at 9.0 s
        assertThat(t.firstRowAfterMicros()).isEqualTo(9_000_000L);
        // published before the lift (t <= 2 s): the latest first insert among them is f/1#2 at 9.2 s
        assertThat(t.drainedMicros()).isEqualTo(9_200_000L);
        // published at or after 5 s: f/0#5..7 acked (lost), f/1#5..9 acked and stored
        assertThat(t.sentAfterCut()).isEqualTo(8);
        assertThat(t.lostAfterCut()).isEqualTo(3);
        assertThat(t.storedAfterCut()).isEqualTo(6);
    }

    @Test
    void nothingStoredAfterTheFaultLeavesTheRecoveryTimesEmpty() {
        Tally t = Tally.of(List.of(log("f/0", 0, 1)), List.of(), 2_500_000L, 2_500_000L);
        assertThat(t.lost()).isEqualTo(2);
        assertThat(t.firstRowAfterMicros()).isNull();
        assertThat(t.drainedMicros()).isNull();
    }
}
