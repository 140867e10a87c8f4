package io.mqttbackends.operator.render;

import io.mqttbackends.operator.api.v1alpha1.Reason;

/** Why a resource does not render: a {@code Valid=False} reason and a message naming the field. */
public record Problem(Reason reason, String message) {
}
