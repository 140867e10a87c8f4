package io.mqttbackends.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import jakarta.inject.Singleton;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.mqttbackends.operator.api.v1alpha1.BackendHook;
import java.util.Set;

/**
 * Reconciles BackendHooks. Hooks learn about their pool through the rendered files: a pool that appears, turns
 * invalid or is deleted changes the ConfigMap, which reconciles every hook of the namespace.
 */
// Singleton, not the SDK's default @ApplicationScoped: no client proxy, so constructor injection suffices.
@Singleton
@ControllerConfiguration(name = "backendhook")
public class BackendHookReconciler extends BackendReconciler<BackendHook> {

    BackendHookReconciler(NamespaceSync sync, OperatorConfig config) {
        super(sync, config);
    }

    @Override
    Set<ResourceID> referencing(Secret secret, EventSourceContext<BackendHook> context) {
        // A Secret matters to a hook only through its pool's rendering, which the rendered files carry.
        return Set.of();
    }
}
