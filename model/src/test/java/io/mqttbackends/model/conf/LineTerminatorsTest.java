package io.mqttbackends.model.conf;

import static io.mqttbackends.model.conf.Confs.FILE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.mqttbackends.model.DatabaseKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one line rule: a conf file breaks lines at \n (or \r\n) only, and every other line terminator is refused with
 * its code point, never read as a line break nor shown. The case found on our machines: a password holding U+2028
 * followed by a hook line, which a parser splitting at {@code \R} loaded as a hook running {@code delete from canary}.
 */
class LineTerminatorsTest {

    private static final String SECRET = "s3cret-pw";
    private static final String INJECTED = "backend.pgsql.hook.message.publish.9 = {\"topic\": \"#\", \"action\": "
            + "{\"sql\": [\"delete from canary\"]}, \"pool\": \"pool1\"}";
    /**
     * The password line as the operator renders it, quotes included: the value ends with a terminator and '#', so a
     * parser splitting at every terminator reads the injected hook as a line and the closing quote as a comment.
     */
    private static String passwordLine(String terminator) {
        return "backend.pgsql.pool1.password = \"" + SECRET + terminator + INJECTED + terminator + "#\"";
    }

    private static final List<Integer> OTHER_TERMINATORS = List.of(0x0D, 0x0B, 0x0C, 0x85, 0x2028, 0x2029);

    @Test
    void aPasswordCarryingAHookLineAfterAnyOtherTerminatorIsRefusedByCodePointAndTheHookNeverLoads() {
        for (int terminator : OTHER_TERMINATORS) {
            String conf = String.join("\n",
                    Confs.PGSQL_POOL,
                    passwordLine(Character.toString(terminator)),
                    Confs.hook(DatabaseKind.PGSQL, "message.publish.1",
                            "{\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}"));
            ConfigException e = catchThrowableOfType(ConfigException.class,
                    () -> ConfLoader.parse(List.of(new ConfFile(FILE, conf))));

            assertThat(e).as("U+%04X", terminator).isNotNull();
            assertThat(e.errors()).as("U+%04X", terminator).singleElement().satisfies(error -> {
                assertThat(error.location()).isEqualTo(new ConfigLocation(FILE, 2, "backend.pgsql.pool1.password"));
                assertThat(error.message()).contains(LineTerminators.describe(terminator), "line terminator");
            });
            assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("canary");
        }
    }

    @Test
    void theSameTextWithARealLineBreakLoadsTheHookWhichIsWhatTheRuleKeepsOut() {
        BackendsConfig cfg = Confs.parse(Confs.PGSQL_POOL, passwordLine("\n"));

        assertThat(cfg.hooks()).extracting(HookConfig::suffix).containsExactly("9");
    }

    @Test
    void crLfFilesReadAsLfFilesAndNoValueKeepsTheCr() {
        BackendsConfig cfg = ConfLoader.parse(List.of(new ConfFile(FILE, Confs.PGSQL_POOL
                + "\r\nbackend.pgsql.pool1.password = pw\r\nbackend.pgsql.pool1.database = db\r\n")));

        PoolConfig pool = cfg.pool(DatabaseKind.PGSQL, "pool1").orElseThrow();
        assertThat(pool.get("password")).isEqualTo("pw");
        assertThat(pool.get("database")).isEqualTo("db");
        assertThat(pool.locationOf("database").line()).isEqualTo(3);
    }

    @Test
    void aTerminatorInACommentOrALineOfItsOwnIsRefusedToo() {
        assertThat(Confs.errors("# note\u0085backend.pgsql.pool1.server = x", "\u2029"))
                .extracting(e -> e.location().line(), e -> e.location().key())
                .containsExactly(tuple(1, ""), tuple(2, ""));
    }

    @Test
    void linesSplitAtNewlineOnlyAndFindNamesTheFirstTerminator() {
        assertThat(LineTerminators.lines("a\r\nb\u2028c\n\nd\r")).containsExactly("a", "b\u2028c", "", "d");
        assertThat(LineTerminators.find("ab\u000Bc\n")).hasValue(0x0B);
        assertThat(LineTerminators.find("tab\tand spaces")).isEmpty();
        assertThat(LineTerminators.problem("the value of Secret 'db' key 'password'", SECRET + "\u2028"))
                .hasValue("the value of Secret 'db' key 'password' contains U+2028 (LINE SEPARATOR), a line "
                        + "terminator; conf values cannot hold line breaks (the value is not shown)");
    }
}
