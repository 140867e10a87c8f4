package io.mqttbackends.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigHashTest {

    /**
     * {@code printf 'a.conf\0x = 1\n\0b.conf\0y = 2\n\0' | sha256sum}, run by hand; the runtime's ConfHashTest
     * asserts the same vector, so both sides agree on what "the same configuration" means.
     */
    private static final String VECTOR = "73e6731690619a682ab20103299f3901ba902f6a9b9cfb6f306b9227594219b8";

    @Test
    void hashOfTheContractVectorIsTheSha256OfNamesAndContentsSeparatedByNulBytes() {
        assertThat(ConfigHash.of(Map.of("a.conf", "x = 1\n", "b.conf", "y = 2\n"))).isEqualTo(VECTOR);
    }

    @Test
    void filesAreHashedInFileNameOrderWhateverOrderTheyAreGivenIn() {
        Map<String, String> reversed = new LinkedHashMap<>();
        reversed.put("b.conf", "y = 2\n");
        reversed.put("a.conf", "x = 1\n");
        assertThat(ConfigHash.of(reversed)).isEqualTo(VECTOR);
    }

    @Test
    void movingTextBetweenNameAndContentChangesTheHash() {
        assertThat(ConfigHash.of(Map.of("a.conf", "x = 1\n", "b.conf", "y = 3\n"))).isNotEqualTo(VECTOR);
        assertThat(ConfigHash.of(Map.of("a.confx", " = 1\n", "b.conf", "y = 2\n"))).isNotEqualTo(VECTOR);
    }
}
