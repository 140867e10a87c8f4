package io.mqttbackends.operator.render;

import java.util.Optional;

/** The outcome of validating one resource: rendered, or the problem that kept it out of the conf. */
public record Verdict(Optional<Problem> problem) {

    public static final Verdict RENDERED = new Verdict(Optional.empty());

    public static Verdict rejected(Problem problem) {
        return new Verdict(Optional.of(problem));
    }

    public boolean rendered() {
        return problem.isEmpty();
    }
}
