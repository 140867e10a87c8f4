package io.mqttbackends.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.config.informer.FieldSelector;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.mqttbackends.operator.api.v1alpha1.BackendStatus;
import io.mqttbackends.operator.render.NamespaceRenderer;
import io.mqttbackends.operator.render.Rendering;
import io.mqttbackends.operator.render.SecretLookup;
import io.mqttbackends.operator.render.Verdict;
import io.mqttbackends.operator.status.RuntimeProbe;
import io.mqttbackends.operator.status.RuntimeState;
import io.mqttbackends.operator.status.StatusFactory;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What both reconcilers do: render the whole namespace (writing the runtime's ConfigMap and Secret when they
 * change), then derive this resource's status from its verdict and the runtime's reported hash, patching it only
 * when it changed. Deletion re-renders without the resource (a finalizer makes sure that happens).
 *
 * <p>Re-triggering: any change of the rendered ConfigMap or Secret reconciles every resource of the namespace (its
 * Applied state just changed), and a change of a labelled credential Secret a pool references reconciles that pool,
 * which re-renders (adding or removing the label is such a change).
 * While the runtime has not loaded the rendered hash the resource is looked at again every few seconds.
 */
abstract class BackendReconciler<R extends CustomResource<?, BackendStatus>> implements Reconciler<R>, Cleaner<R> {

    private final NamespaceSync sync;
    private final OperatorConfig config;
    private final RuntimeProbe probe;
    private final StatusFactory statuses = new StatusFactory(Clock.systemUTC());

    BackendReconciler(NamespaceSync sync, OperatorConfig config) {
        this.sync = sync;
        this.config = config;
        this.probe = new RuntimeProbe(config.runtimeTimeout());
    }

    /** The primaries a change of this user Secret concerns. */
    abstract Set<ResourceID> referencing(Secret secret, EventSourceContext<R> context);

    @Override
    public UpdateControl<R> reconcile(R resource, Context<R> context) {
        String namespace = resource.getMetadata().getNamespace();
        Rendering rendering = sync.sync(namespace);
        Optional<Verdict> rendered = NamespaceRenderer.verdictOf(rendering, resource);
        if (rendered.isEmpty()) {
            // Deleted (or being deleted) since the event was queued: the API no longer lists it, nothing to report.
            return UpdateControl.noUpdate();
        }
        Verdict verdict = rendered.get();
        RuntimeState runtime = probe.probe(config.runtimeUrl(namespace));
        BackendStatus status = statuses.status(resource.getMetadata().getGeneration(), verdict, rendering.hash(),
                runtime, resource.getStatus());
        UpdateControl<R> control;
        if (status.equals(resource.getStatus())) {
            control = UpdateControl.noUpdate();
        } else {
            resource.setStatus(status);
            control = UpdateControl.patchStatus(resource);
        }
        if (!verdict.rendered()) {
            return control;
        }
        return switch (StatusFactory.applied(rendering.hash(), runtime)) {
            case Loaded -> control;
            case ReloadFailed -> control.rescheduleAfter(config.failedRecheck());
            default -> control.rescheduleAfter(config.pendingRecheck());
        };
    }

    @Override
    public DeleteControl cleanup(R resource, Context<R> context) {
        sync.sync(resource.getMetadata().getNamespace());
        return DeleteControl.defaultDelete();
    }

    /**
     * Three informers, each asking the API server for only what it needs, so that the Role can name what it grants
     * (deploy/operator/role.yaml): the rendered ConfigMap and Secret by name (RBAC allows list/watch restricted by
     * resourceNames for a metadata.name field selector), the user's credential Secrets by {@link SecretLookup#LABEL}
     * (RBAC cannot restrict by label, so that one list/watch stays namespace-wide in the Role).
     */
    @Override
    public List<EventSource<?, R>> prepareEventSources(EventSourceContext<R> context) {
        InformerEventSource<ConfigMap, R> renderedConfigMap = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(ConfigMap.class, context.getPrimaryResourceClass())
                .withName("rendered-configmap")
                .withNamespacesInheritedFromController()
                .withFieldSelector(named(config.configMapName()))
                .withSecondaryToPrimaryMapper(cm -> allIn(cm.getMetadata().getNamespace(), context))
                .build(), context);
        InformerEventSource<Secret, R> renderedSecret = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(Secret.class, context.getPrimaryResourceClass())
                .withName("rendered-secret")
                .withNamespacesInheritedFromController()
                .withFieldSelector(named(config.secretName()))
                .withSecondaryToPrimaryMapper(secret -> allIn(secret.getMetadata().getNamespace(), context))
                .build(), context);
        InformerEventSource<Secret, R> credentials = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(Secret.class, context.getPrimaryResourceClass())
                .withName("credential-secrets")
                .withNamespacesInheritedFromController()
                .withLabelSelector(SecretLookup.LABEL + "=" + SecretLookup.LABEL_VALUE)
                .withSecondaryToPrimaryMapper(secret -> referencing(secret, context))
                .build(), context);
        return List.of(renderedConfigMap, renderedSecret, credentials);
    }

    private static FieldSelector named(String name) {
        return new FieldSelector(new FieldSelector.Field("metadata.name", name));
    }

    static <R extends CustomResource<?, BackendStatus>> Set<ResourceID> allIn(String namespace,
            EventSourceContext<R> context) {
        return context.getPrimaryCache().list(namespace).map(ResourceID::fromResource).collect(Collectors.toSet());
    }

}
