/**
 * The {@code mqttbackends.io/v1alpha1} custom resources: {@link io.mqttbackends.operator.api.v1alpha1.BackendPool}
 * (a database connection pool) and {@link io.mqttbackends.operator.api.v1alpha1.BackendHook} (a hook line bound to
 * a pool). Their descriptions are what {@code kubectl explain} prints and what docs/kubernetes.md lists.
 */
package io.mqttbackends.operator.api.v1alpha1;
