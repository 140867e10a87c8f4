package io.mqttbackends.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MediansTest {

    @Test
    void oddCountTakesTheMiddleValue() {
        assertThat(Medians.of(List.of(30.0, 10.0, 20.0))).isEqualTo(20.0);
    }

    @Test
    void evenCountAveragesTheMiddleTwo() {
        assertThat(Medians.of(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    }

    @Test
    void missingFiguresAreIgnoredAndNoneGivesNull() {
        assertThat(Medians.of(Arrays.asList(null, 5.0, null))).isEqualTo(5.0);
        assertThat(Medians.of(Arrays.asList((Double) null))).isNull();
    }
}
