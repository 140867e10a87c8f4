package io.mqttbackends.runtime.backend.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CassandraFunctionsTest {

    @Test
    void aTimeOrderedIdGivesItsMicrosecondsAndOtherIdsNone() {
        long micros = System.currentTimeMillis() * 1000 - 5;
        String id = HexFormat.of().withUpperCase().toHexDigits(micros) + "0000AAAABBBB0001";

        assertThat(CassandraFunctions.messageTime(id)).isEqualTo(OptionalLong.of(micros));
        assertThat(CassandraFunctions.messageTime(id.toLowerCase())).isEqualTo(OptionalLong.of(micros));
        assertThat(CassandraFunctions.messageTime("6P9NLcJ65VXBbC22sYb4")).as("EMQX 4.x base62").isEmpty();
        assertThat(CassandraFunctions.messageTime("F".repeat(32))).as("a time far from now").isEmpty();
    }

    @Test
    void theWriteClockNeverRepeatsNorGoesBackAndReservesConsecutiveRanges() {
        CassandraPool.WriteClock clock = new CassandraPool.WriteClock();
        long first = clock.next(3);
        long second = clock.next(1);
        long third = clock.next(1);

        assertThat(second).isGreaterThanOrEqualTo(first + 3);
        assertThat(third).isGreaterThan(second);
        assertThat(first).isGreaterThanOrEqualTo(System.currentTimeMillis() * 1000 - 1_000_000);
    }
}
