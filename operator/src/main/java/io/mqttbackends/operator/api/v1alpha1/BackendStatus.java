package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Status of a BackendPool or BackendHook: whether it is valid, rendered and loaded by the runtime. */
public class BackendStatus {

    @JsonPropertyDescription("metadata.generation the conditions describe.")
    private Long observedGeneration;

    @JsonPropertyDescription("Valid (the resource renders into the runtime's configuration), Applied (the runtime "
            + "loaded that configuration) and Ready (both), each with a CamelCase reason and a message.")
    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackendStatus other && Objects.equals(observedGeneration, other.observedGeneration)
                && Objects.equals(conditions, other.conditions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, conditions);
    }
}
