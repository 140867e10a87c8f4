package io.mqttbackends.runtime.backend.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SqlTextTest {

    @Test
    void numberedMarkersStayAndTakeTheirValuesOnce() {
        SqlCommand command = SqlText.render("SELECT $1::text, $2 WHERE topic = $2", true).with("a", "b");
        assertThat(command.sql()).isEqualTo("SELECT $1::text, $2 WHERE topic = $2");
        assertThat(command.values()).containsExactly("a", "b");
    }

    @Test
    void positionalMarkersRepeatTheValueOfARepeatedNumber() {
        SqlCommand command = SqlText.render("SELECT $1, $2 FROM t WHERE topic = $2 AND x > $3", false)
                .with("a", "b", 3);
        assertThat(command.sql()).isEqualTo("SELECT ?, ? FROM t WHERE topic = ? AND x > ?");
        assertThat(command.values()).containsExactly("a", "b", "b", 3);
    }

    @Test
    void nullValuesBindAsNull() {
        assertThat(SqlText.render("UPDATE t SET a = $1 WHERE b = $2", false).with(null, "x").values())
                .isEqualTo(Arrays.asList(null, "x"));
    }
}
