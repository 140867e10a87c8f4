package io.mqttbackends.runtime.backend.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultiRowInsertTest {

    @Test
    void numberedMarkersAreRenumberedPerRowIncludingInsideFunctionCalls() {
        MultiRowInsert insert = MultiRowInsert.of(
                "INSERT INTO mqtt_msg (msgid, topic, arrived)\nVALUES ($1, $2, to_timestamp($3::bigint / 1000.0))",
                true).orElseThrow();
        assertThat(insert.paramsPerRow()).isEqualTo(3);
        assertThat(insert.sql(1)).isEqualTo(
                "INSERT INTO mqtt_msg (msgid, topic, arrived)\nVALUES ($1, $2, to_timestamp($3::bigint / 1000.0))");
        assertThat(insert.sql(2)).isEqualTo("INSERT INTO mqtt_msg (msgid, topic, arrived)\nVALUES "
                + "($1, $2, to_timestamp($3::bigint / 1000.0)), ($4, $5, to_timestamp($6::bigint / 1000.0))");
    }

    @Test
    void aRepeatedNumberedMarkerKeepsOneValuePerRow() {
        MultiRowInsert insert = MultiRowInsert.of("insert into t (a, b, c) values ($2, $1, $2)", true).orElseThrow();
        assertThat(insert.paramsPerRow()).isEqualTo(2);
        assertThat(insert.sql(2)).isEqualTo("insert into t (a, b, c) values ($2, $1, $2), ($4, $3, $4)");
    }

    @Test
    void positionalMarkersRepeatTheRowAsWritten() {
        MultiRowInsert insert = MultiRowInsert.of(
                "INSERT INTO mqtt_msg (msgid, arrived) VALUES (?, FROM_UNIXTIME(? / 1000))", false).orElseThrow();
        assertThat(insert.paramsPerRow()).isEqualTo(2);
        assertThat(insert.sql(4)).isEqualTo("INSERT INTO mqtt_msg (msgid, arrived) VALUES "
                + "(?, FROM_UNIXTIME(? / 1000)), (?, FROM_UNIXTIME(? / 1000)), (?, FROM_UNIXTIME(? / 1000)), "
                + "(?, FROM_UNIXTIME(? / 1000))");
    }

    @Test
    void anIgnoreDuplicatesClauseFollowsTheRows() {
        assertThat(MultiRowInsert.of("INSERT INTO r (a) VALUES ($1) ON CONFLICT DO NOTHING", true).orElseThrow()
                .sql(2)).isEqualTo("INSERT INTO r (a) VALUES ($1), ($2) ON CONFLICT DO NOTHING");
        assertThat(MultiRowInsert.of("INSERT INTO r (a) VALUES (?)\nON DUPLICATE KEY UPDATE a = a", false)
                .orElseThrow().sql(2)).isEqualTo("INSERT INTO r (a) VALUES (?), (?) ON DUPLICATE KEY UPDATE a = a");
        assertThat(MultiRowInsert.of("INSERT INTO r (a, b) VALUES (?, ?) ON DUPLICATE KEY UPDATE a = b", false))
                .as("an update that changes the row").isEmpty();
    }

    @Test
    void upsertsReturningSelectsAndMultiRowInsertsRunAsWritten() {
        assertThat(MultiRowInsert.of("INSERT INTO r (topic) VALUES ($1) ON CONFLICT (topic) DO NOTHING", true))
                .isEmpty();
        assertThat(MultiRowInsert.of("INSERT INTO r (topic) VALUES (?) ON DUPLICATE KEY UPDATE topic = ?", false))
                .isEmpty();
        assertThat(MultiRowInsert.of("INSERT INTO r (topic) VALUES ($1) RETURNING id", true)).isEmpty();
        assertThat(MultiRowInsert.of("INSERT INTO r (topic) SELECT $1 FROM dual", true)).isEmpty();
        assertThat(MultiRowInsert.of("INSERT INTO r (a) VALUES ($1), ($2)", true)).isEmpty();
        assertThat(MultiRowInsert.of("UPDATE r SET a = $1", true)).isEmpty();
        assertThat(MultiRowInsert.of("INSERT INTO r (a) VALUES (1)", true)).as("no parameter").isEmpty();
    }

    @Test
    void quotesCommentsAndSemicolonsThatCouldHideMarkersOrParenthesesRunAsWritten() {
        assertThat(MultiRowInsert.of("INSERT INTO r (a, b) VALUES ($1, ')')", true)).isEmpty();
        assertThat(MultiRowInsert.of("INSERT INTO \"values\" (a) VALUES ($1)", true)).isEmpty();
        assertThat(MultiRowInsert.of("INSERT INTO r (a) VALUES ($1) -- $2", true)).isEmpty();
        assertThat(MultiRowInsert.of("INSERT INTO r (a) VALUES ($1); DELETE FROM r", true)).isEmpty();
        assertThat(MultiRowInsert.of("INSERT INTO r (a) VALUES ($1 || $$x$$)", true)).isEmpty();
    }

    @Test
    void aColumnNamedLikeTheKeywordIsNotTakenForIt() {
        MultiRowInsert insert = MultiRowInsert.of("insert into r (my_values, valuesx) values ($1, $2)", true)
                .orElseThrow();
        assertThat(insert.sql(2)).isEqualTo("insert into r (my_values, valuesx) values ($1, $2), ($3, $4)");
    }

    @Test
    void rowsPerStatementAreExactUpToSixteenThenPowersOfTwoKeptUnderTheParameterLimit() {
        MultiRowInsert narrow = MultiRowInsert.of("insert into r (a) values ($1)", true).orElseThrow();
        assertThat(narrow.maxRows()).isEqualTo(MultiRowInsert.MAX_ROWS);
        assertThat(statements(narrow, 437)).containsExactly(256, 128, 32, 16, 5);
        assertThat(statements(narrow, 16)).containsExactly(16);
        assertThat(statements(narrow, 17)).containsExactly(16, 1);
        assertThat(statements(narrow, 600)).containsExactly(256, 256, 64, 16, 8);
        assertThat(narrow.sql(3)).isEqualTo("insert into r (a) values ($1), ($2), ($3)");
        assertThatThrownBy(() -> narrow.sql(17)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> narrow.sql(512)).isInstanceOf(IllegalArgumentException.class);

        MultiRowInsert wide = MultiRowInsert.of(insertOf(300), true).orElseThrow();
        assertThat(wide.maxRows()).isEqualTo(64);
        assertThat(statements(wide, 200)).containsExactly(64, 64, 64, 8);
        assertThatThrownBy(() -> wide.sql(128)).isInstanceOf(IllegalArgumentException.class);

        MultiRowInsert wider = MultiRowInsert.of(insertOf(3000), true).orElseThrow();
        assertThat(wider.maxRows()).isEqualTo(8);
        assertThat(statements(wider, 11)).containsExactly(8, 3);
        assertThatThrownBy(() -> wider.sql(9)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Integer> statements(MultiRowInsert shape, int rows) {
        List<Integer> sizes = new ArrayList<>();
        for (int left = rows; left > 0; left -= sizes.get(sizes.size() - 1)) {
            sizes.add(shape.statementRows(left));
        }
        return sizes;
    }

    private static String insertOf(int params) {
        StringBuilder sql = new StringBuilder("insert into r values (");
        for (int i = 1; i <= params; i++) {
            sql.append(i > 1 ? ", " : "").append('$').append(i);
        }
        return sql.append(')').toString();
    }
}
