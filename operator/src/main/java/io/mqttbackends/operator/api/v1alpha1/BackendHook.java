package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A hook of the MQTT Backends runtime, rendered as one {@code backend.<db>.hook.<hookpoint>.<order>} line. */
@Group(BackendPool.GROUP)
@Version(BackendPool.VERSION)
@ShortNames({"bhook", "bhooks"})
@AdditionalPrinterColumn(name = "Hookpoint", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".spec.hookpoint")
@AdditionalPrinterColumn(name = "Topic", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.topic")
@AdditionalPrinterColumn(name = "Pool", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.poolRef")
@AdditionalPrinterColumn(name = "Valid", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Valid\")].status")
@AdditionalPrinterColumn(name = "Applied", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Applied\")].status")
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE,
        jsonPath = ".metadata.creationTimestamp")
public class BackendHook extends CustomResource<BackendHookSpec, BackendStatus> implements Namespaced {

    @Override
    @JsonPropertyDescription("The hook: hook point, topic filter, pool, order and action.")
    public BackendHookSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("Observed state, written by the operator: whether the resource is valid and whether "
            + "the runtime loaded it.")
    public BackendStatus getStatus() {
        return super.getStatus();
    }

    @Override
    protected BackendStatus initStatus() {
        return new BackendStatus();
    }
}
