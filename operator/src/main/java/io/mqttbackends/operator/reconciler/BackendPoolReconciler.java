package io.mqttbackends.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import jakarta.inject.Singleton;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.mqttbackends.operator.api.v1alpha1.BackendPool;
import io.mqttbackends.operator.api.v1alpha1.Credentials;
import io.mqttbackends.operator.api.v1alpha1.SecretKeyRef;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reconciles BackendPools; a change of a Secret one references (e.g. a new password) re-renders. */
// Singleton, not the SDK's default @ApplicationScoped: no client proxy, so constructor injection suffices.
@Singleton
@ControllerConfiguration(name = "backendpool")
public class BackendPoolReconciler extends BackendReconciler<BackendPool> {

    BackendPoolReconciler(NamespaceSync sync, OperatorConfig config) {
        super(sync, config);
    }

    @Override
    Set<ResourceID> referencing(Secret secret, EventSourceContext<BackendPool> context) {
        String name = secret.getMetadata().getName();
        return context.getPrimaryCache().list(secret.getMetadata().getNamespace())
                .filter(pool -> secretNames(pool).anyMatch(name::equals))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    private static Stream<String> secretNames(BackendPool pool) {
        Credentials credentials = pool.getSpec() == null ? null : pool.getSpec().getCredentials();
        if (credentials == null) {
            return Stream.empty();
        }
        return Stream.of(credentials.getUsername(), credentials.getPassword()).filter(Objects::nonNull)
                .map(SecretKeyRef::getName);
    }
}
