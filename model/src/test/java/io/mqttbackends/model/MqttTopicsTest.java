package io.mqttbackends.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MqttTopicsTest {

    @Test
    void exactAndSingleLevelWildcard() {
        assertThat(MqttTopics.matches("a/b", "a/b")).isTrue();
        assertThat(MqttTopics.matches("a/b", "a/c")).isFalse();
        assertThat(MqttTopics.matches("a/+", "a/b")).isTrue();
        assertThat(MqttTopics.matches("a/+", "a/b/c")).isFalse();
        assertThat(MqttTopics.matches("a/+", "a")).isFalse();
        assertThat(MqttTopics.matches("+/+", "/b")).isTrue();
        assertThat(MqttTopics.matches("a/+/c", "a//c")).isTrue();
    }

    @Test
    void multiLevelWildcardIncludesParent() {
        assertThat(MqttTopics.matches("a/#", "a")).isTrue();
        assertThat(MqttTopics.matches("a/#", "a/b/c")).isTrue();
        assertThat(MqttTopics.matches("a/#", "ab")).isFalse();
        assertThat(MqttTopics.matches("#", "x/y")).isTrue();
    }

    @Test
    void dollarTopicsNeedAnExplicitFirstLevel() {
        assertThat(MqttTopics.matches("#", "$SYS/brokers")).isFalse();
        assertThat(MqttTopics.matches("+/brokers", "$SYS/brokers")).isFalse();
        assertThat(MqttTopics.matches("$SYS/#", "$SYS/brokers")).isTrue();
        assertThat(MqttTopics.matches("$SYS/brokers/+/clients/#", "$SYS/brokers/n1/clients/c/connected")).isTrue();
    }

    @Test
    void sharePrefixIsStripped() {
        assertThat(MqttTopics.stripShare("$share/g1/a/#")).isEqualTo("a/#");
        assertThat(MqttTopics.stripShare("a/#")).isEqualTo("a/#");
        assertThat(MqttTopics.matches("$share/g1/a/+", "a/b")).isTrue();
        assertThat(MqttTopics.matches("$share/g1/#", "$SYS/x")).isFalse();
    }

    @Test
    void overlap() {
        assertThat(MqttTopics.overlap("#", "mqttbackends/events/#")).isTrue();
        assertThat(MqttTopics.overlap("a/+", "+/b")).isTrue();
        assertThat(MqttTopics.overlap("a/#", "a")).isTrue();
        assertThat(MqttTopics.overlap("a/b", "a/c")).isFalse();
        assertThat(MqttTopics.overlap("a/+", "a/b/c")).isFalse();
        assertThat(MqttTopics.overlap("#", "$SYS/brokers/+/clients/#")).isFalse();
        assertThat(MqttTopics.overlap("$share/g/x/#", "x/y")).isTrue();
    }

    @Test
    void coversWhenEveryTopicOfTheSpecificFilterMatchesTheGeneralOne() {
        assertThat(MqttTopics.covers("#", "mqttbackends/events/#")).isTrue();
        assertThat(MqttTopics.covers("a/+/c", "a/b/c")).isTrue();
        assertThat(MqttTopics.covers("a/#", "a")).isTrue();
        assertThat(MqttTopics.covers("a/+", "a/#")).isFalse();
        assertThat(MqttTopics.covers("a/b/c", "a/+/c")).isFalse();
        assertThat(MqttTopics.covers("#", "$SYS/brokers/+/clients/#")).isFalse();
        assertThat(MqttTopics.covers("$share/g/#", "x/y")).isTrue();
        assertThat(MqttTopics.covers("a/b", "a/b/c")).isFalse();
    }

    @Test
    void filterProblemsAreNamed() {
        assertThat(MqttTopics.filterProblem("a/+/b/#")).isEmpty();
        assertThat(MqttTopics.filterProblem("$share/g/a/#")).isEmpty();
        assertThat(MqttTopics.filterProblem("$SYS/#")).isEmpty();
        assertThat(MqttTopics.filterProblem("")).contains("empty topic filter");
        assertThat(MqttTopics.filterProblem("a/#/b")).contains("# must be the whole last level");
        assertThat(MqttTopics.filterProblem("a/b#")).contains("# must be the whole last level");
        assertThat(MqttTopics.filterProblem("a/b+/c")).contains("+ must be a whole level");
        assertThat(MqttTopics.filterProblem("a\nb")).contains("control character U+000A");
        assertThat(MqttTopics.filterProblem("a\u0000")).contains("control character U+0000");
        assertThat(MqttTopics.filterProblem("a\ud800")).contains("not valid UTF-16 (lone surrogate)");
        assertThat(MqttTopics.filterProblem("$share//a")).isPresent();
        assertThat(MqttTopics.filterProblem("$share/g/")).isPresent();
        assertThat(MqttTopics.filterProblem("x".repeat(65_536))).contains("longer than 65535 bytes");
    }

    @Test
    void filtersMatchingEveryTopicAreRecognised() {
        assertThat(MqttTopics.matchesEverything("#")).isTrue();
        assertThat(MqttTopics.matchesEverything("+/#")).isTrue();
        assertThat(MqttTopics.matchesEverything("$share/g/+/+/#")).isTrue();
        assertThat(MqttTopics.matchesEverything("a/#")).isFalse();
        assertThat(MqttTopics.matchesEverything("+")).isFalse();
        assertThat(MqttTopics.matchesEverything("+/a/#")).isFalse();
    }
}
