package io.mqttbackends.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.mqttbackends.operator.api.v1alpha1.BackendStatus;
import io.mqttbackends.operator.api.v1alpha1.Reason;
import io.mqttbackends.operator.render.Problem;
import io.mqttbackends.operator.render.Verdict;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Derives a resource's status from its verdict and what the runtime reports. A condition keeps its
 * lastTransitionTime while its status stays the same, so an unchanged status compares equal to the previous one and
 * the reconciler patches nothing.
 */
public final class StatusFactory {

    public static final String VALID = "Valid";
    public static final String APPLIED = "Applied";
    public static final String READY = "Ready";

    private final Clock clock;

    public StatusFactory(Clock clock) {
        this.clock = clock;
    }

    public BackendStatus status(Long generation, Verdict verdict, String renderedHash, RuntimeState runtime,
            BackendStatus previous) {
        Condition valid = verdict.problem()
                .map(p -> condition(VALID, "False", p.reason(), p.message(), generation))
                .orElseGet(() -> condition(VALID, "True", Reason.Rendered,
                        "rendered into the runtime's configuration " + shortHash(renderedHash), generation));
        Condition applied = verdict.rendered() ? applied(renderedHash, runtime, generation)
                : condition(APPLIED, "False", Reason.NotRendered, "not in the runtime's configuration: "
                        + verdict.problem().map(Problem::message).orElseThrow(), generation);
        Condition ready = "True".equals(valid.getStatus()) && "True".equals(applied.getStatus())
                ? condition(READY, "True", Reason.Ready, "valid and loaded by the runtime", generation)
                : !"True".equals(valid.getStatus())
                        ? condition(READY, "False", Reason.valueOf(valid.getReason()), valid.getMessage(), generation)
                        : condition(READY, applied.getStatus(), Reason.valueOf(applied.getReason()),
                                applied.getMessage(), generation);
        BackendStatus status = new BackendStatus();
        status.setObservedGeneration(generation);
        status.setConditions(List.of(keepTransition(valid, previous), keepTransition(applied, previous),
                keepTransition(ready, previous)));
        return status;
    }

    /** Whether the runtime runs what was rendered, rejected it, or has not got there yet. */
    public static Reason applied(String renderedHash, RuntimeState runtime) {
        if (runtime instanceof RuntimeState.Reported reported) {
            if (renderedHash.equals(reported.hash())) {
                return Reason.Loaded;
            }
            if (renderedHash.equals(reported.lastErrorHash())) {
                return Reason.ReloadFailed;
            }
        }
        return Reason.Pending;
    }

    private Condition applied(String renderedHash, RuntimeState runtime, Long generation) {
        return switch (applied(renderedHash, runtime)) {
            case Loaded -> condition(APPLIED, "True", Reason.Loaded, "the runtime loaded configuration "
                    + shortHash(renderedHash), generation);
            case ReloadFailed -> condition(APPLIED, "False", Reason.ReloadFailed,
                    Objects.toString(((RuntimeState.Reported) runtime).lastError(), "rejected by the runtime"),
                    generation);
            default -> condition(APPLIED, "Unknown", Reason.Pending, pendingMessage(renderedHash, runtime),
                    generation);
        };
    }

    private static String pendingMessage(String renderedHash, RuntimeState runtime) {
        if (runtime instanceof RuntimeState.Unreachable unreachable) {
            return "runtime not reachable at " + unreachable.url() + ": " + unreachable.error();
        }
        return "waiting for the runtime to load configuration " + shortHash(renderedHash) + " (it runs "
                + shortHash(((RuntimeState.Reported) runtime).hash()) + ")";
    }

    private Condition condition(String type, String status, Reason reason, String message, Long generation) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason.name())
                .withMessage(message).withObservedGeneration(generation)
                .withLastTransitionTime(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString()).build();
    }

    /** lastTransitionTime moves only when the condition's status does (Kubernetes convention). */
    private static Condition keepTransition(Condition next, BackendStatus previous) {
        Optional<Condition> before = previous == null || previous.getConditions() == null ? Optional.empty()
                : previous.getConditions().stream().filter(c -> next.getType().equals(c.getType())).findFirst();
        if (before.isPresent() && Objects.equals(before.get().getStatus(), next.getStatus())) {
            next.setLastTransitionTime(before.get().getLastTransitionTime());
        }
        return next;
    }

    private static String shortHash(String hash) {
        return hash == null ? "(none)" : "sha256:" + hash.substring(0, Math.min(12, hash.length()));
    }
}
