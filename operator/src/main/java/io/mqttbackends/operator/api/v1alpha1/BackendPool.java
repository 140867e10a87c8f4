package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A database connection pool of the MQTT Backends runtime, rendered as {@code backend.<db>.<name>.*} lines. */
@Group(BackendPool.GROUP)
@Version(BackendPool.VERSION)
@ShortNames({"bpool", "bpools"})
@AdditionalPrinterColumn(name = "Type", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.type")
@AdditionalPrinterColumn(name = "Valid", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Valid\")].status")
@AdditionalPrinterColumn(name = "Applied", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Applied\")].status")
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE,
        jsonPath = ".metadata.creationTimestamp")
public class BackendPool extends CustomResource<BackendPoolSpec, BackendStatus> implements Namespaced {

    public static final String GROUP = "mqttbackends.io";
    public static final String VERSION = "v1alpha1";

    @Override
    @JsonPropertyDescription("The pool: database type, servers, credentials as Secret references, TLS and type-specific options.")
    public BackendPoolSpec getSpec() {
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
