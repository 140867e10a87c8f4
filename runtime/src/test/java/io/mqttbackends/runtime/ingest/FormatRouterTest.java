package io.mqttbackends.runtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormatRouterTest {

    private final FormatRouter router = new FormatRouter(Map.of(
            IngestFormat.RAW, List.of("#"),
            IngestFormat.EMQX_RULE, List.of("mqttbackends/events/#"),
            IngestFormat.EMQX_SYS, List.of("sys/brokers/+/clients/#")));

    @Test
    void eventFormatsWinOverRaw() {
        assertThat(router.route("mqttbackends/events/x")).contains(IngestFormat.EMQX_RULE);
        assertThat(router.route("sys/brokers/n/clients/c/connected")).contains(IngestFormat.EMQX_SYS);
        assertThat(router.route("sensors/1")).contains(IngestFormat.RAW);
    }

    @Test
    void unmatchedTopicHasNoFormat() {
        FormatRouter narrow = new FormatRouter(Map.of(IngestFormat.RAW, List.of("sensors/#")));
        assertThat(narrow.route("other/1")).isEmpty();
        assertThat(narrow.route("$SYS/brokers")).isEmpty();
    }

    @Test
    void subscribesOnlyFiltersNoOtherFilterCoversSoTheBrokerSendsOneCopy() {
        assertThat(router.subscriptionFilters()).containsExactly("#");
        assertThat(new FormatRouter(Map.of(IngestFormat.RAW, List.of("#"),
                IngestFormat.EMQX_SYS, List.of("$SYS/brokers/+/clients/#"))).subscriptionFilters())
                .containsExactlyInAnyOrder("#", "$SYS/brokers/+/clients/#");
        assertThat(new FormatRouter(Map.of(IngestFormat.RAW, List.of("a/+/c", "a/b/c"),
                IngestFormat.EMQX_RULE, List.of("a/+/c"))).subscriptionFilters()).containsExactly("a/+/c");
    }

    @Test
    void reportsFiltersThatOverlapWithoutOneCoveringTheOther() {
        assertThat(router.overlaps()).isEmpty();
        assertThat(new FormatRouter(Map.of(IngestFormat.RAW, List.of("a/+/c"),
                IngestFormat.EMQX_RULE, List.of("a/b/#"))).overlaps())
                .containsExactly("emqx-rule filter 'a/b/#' and raw filter 'a/+/c'");
        assertThat(new FormatRouter(Map.of(IngestFormat.RAW, List.of("a/#"),
                IngestFormat.EMQX_SYS, List.of("$SYS/brokers/+/clients/#"))).overlaps()).isEmpty();
    }
}
