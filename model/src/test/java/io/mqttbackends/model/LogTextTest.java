package io.mqttbackends.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void everyLineTerminatorIsEscaped() {
        assertThat(LogText.of("a\nb\rc\u000bd\u000ce\u0085f\u2028g\u2029h"))
                .isEqualTo("a\\u000ab\\u000dc\\u000bd\\u000ce\\u0085f\\u2028g\\u2029h")
                .doesNotContain("\n", "\r", "\u2028", "\u2029", "\u0085");
    }

    @Test
    void controlAndFormatCharactersAndLoneSurrogatesAreEscapedLettersAndPairsAreNot() {
        assertThat(LogText.of("\u001b[31mred\u202eevil\u200b")).isEqualTo("\\u001b[31mred\\u202eevil\\u200b");
        assertThat(LogText.of("x\ud800y")).isEqualTo("x\\ud800y");
        assertThat(LogText.of("grüße 日本 \ud83d\ude00 'q' \"dq\"")).isEqualTo("grüße 日本 \ud83d\ude00 'q' \"dq\"");
    }

    @Test
    void aBackslashIsDoubledSoAnEscapeInTheLogIsNeverAmbiguous() {
        assertThat(LogText.of("a\\u000ab")).isEqualTo("a\\\\u000ab");
        assertThat(LogText.of("a\nb")).isNotEqualTo(LogText.of("a\\u000ab"));
    }

    @Test
    void longTextIsCutWithoutSplittingASurrogatePair() {
        assertThat(LogText.of("x".repeat(1000))).isEqualTo("x".repeat(256) + "...(744 more chars)");
        assertThat(LogText.of("ab\ud83d\ude00", 3)).isEqualTo("ab...(2 more chars)");
        assertThat(LogText.of(null)).isEqualTo("null");
    }

    @Test
    void aPayloadShowsItsFirstBytesEscaped() {
        byte[] payload = ("line1\nline2" + "z".repeat(100)).getBytes(StandardCharsets.UTF_8);
        assertThat(LogText.payload(payload)).startsWith("line1\\u000aline2zzz").endsWith("...(111 bytes)")
                .doesNotContain("\n");
        assertThat(LogText.payload(new byte[] {(byte) 0xff, 'a'})).isEqualTo("\ufffda");
    }
}
