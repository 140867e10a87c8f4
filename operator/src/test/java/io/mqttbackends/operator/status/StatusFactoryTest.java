package io.mqttbackends.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.mqttbackends.operator.api.v1alpha1.BackendStatus;
import io.mqttbackends.operator.api.v1alpha1.Reason;
import io.mqttbackends.operator.render.Problem;
import io.mqttbackends.operator.render.Verdict;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StatusFactoryTest {

    private static final String HASH = "a".repeat(64);
    private static final String OTHER = "b".repeat(64);

    private static StatusFactory at(String instant) {
        return new StatusFactory(Clock.fixed(Instant.parse(instant), ZoneOffset.UTC));
    }

    private static Condition condition(BackendStatus status, String type) {
        return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void appliedIsLoadedOnTheRenderedHashReloadFailedOnTheRejectedOneAndPendingOtherwise() {
        assertThat(StatusFactory.applied(HASH, new RuntimeState.Reported(HASH, null, null))).isEqualTo(Reason.Loaded);
        assertThat(StatusFactory.applied(HASH, new RuntimeState.Reported(OTHER, "bad", HASH)))
                .isEqualTo(Reason.ReloadFailed);
        assertThat(StatusFactory.applied(HASH, new RuntimeState.Reported(OTHER, "bad", OTHER)))
                .isEqualTo(Reason.Pending);
        assertThat(StatusFactory.applied(HASH, new RuntimeState.Unreachable("http://x", "refused")))
                .isEqualTo(Reason.Pending);
    }

    @Test
    void readyTakesTheReasonOfTheFirstConditionThatIsNotTrue() {
        BackendStatus invalid = at("2026-01-01T00:00:00Z").status(3L, Verdict.rejected(new Problem(
                Reason.PoolNotFound, "spec.poolRef: no BackendPool 'p'")), HASH,
                new RuntimeState.Reported(HASH, null, null), null);
        assertThat(invalid.getObservedGeneration()).isEqualTo(3L);
        assertThat(condition(invalid, "Valid").getStatus()).isEqualTo("False");
        assertThat(condition(invalid, "Applied").getReason()).isEqualTo("NotRendered");
        assertThat(condition(invalid, "Ready").getReason()).isEqualTo("PoolNotFound");

        BackendStatus failed = at("2026-01-01T00:00:00Z").status(3L, Verdict.RENDERED, HASH,
                new RuntimeState.Reported(OTHER, "backends.conf:3: unknown placeholder", HASH), null);
        assertThat(condition(failed, "Applied").getMessage()).isEqualTo("backends.conf:3: unknown placeholder");
        assertThat(condition(failed, "Ready").getReason()).isEqualTo("ReloadFailed");
        assertThat(condition(failed, "Ready").getStatus()).isEqualTo("False");
    }

    @Test
    void anUnchangedStatusEqualsThePreviousOneAndTransitionTimesMoveOnlyWithTheStatus() {
        RuntimeState loaded = new RuntimeState.Reported(HASH, null, null);
        BackendStatus first = at("2026-01-01T00:00:00Z").status(1L, Verdict.RENDERED, HASH, loaded, null);
        BackendStatus again = at("2026-01-01T00:05:00Z").status(1L, Verdict.RENDERED, HASH, loaded, first);
        assertThat(again).isEqualTo(first);

        // A new rendering changes messages but not statuses: transition times stay.
        BackendStatus rerendered = at("2026-01-01T00:10:00Z").status(1L, Verdict.RENDERED, OTHER,
                new RuntimeState.Reported(OTHER, null, null), first);
        assertThat(rerendered).isNotEqualTo(first);
        assertThat(condition(rerendered, "Applied").getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");

        BackendStatus pending = at("2026-01-01T00:20:00Z").status(1L, Verdict.RENDERED, OTHER, loaded, first);
        assertThat(condition(pending, "Applied").getStatus()).isEqualTo("Unknown");
        assertThat(condition(pending, "Applied").getLastTransitionTime()).isEqualTo("2026-01-01T00:20:00Z");
        assertThat(condition(pending, "Valid").getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    }
}
