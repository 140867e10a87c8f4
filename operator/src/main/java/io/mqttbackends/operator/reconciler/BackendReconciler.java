package io.mqttbackends.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.CustomResource;
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
 * Applied state just changed), and a change of a Secret a pool references reconciles that pool, which re-renders.
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

    @Override
    public List<EventSource<?, R>> prepareEventSources(EventSourceContext<R> context) {
        InformerEventSource<ConfigMap, R> rendered = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(ConfigMap.class, context.getPrimaryResourceClass())
                .withName("rendered-configmap")
                .withNamespacesInheritedFromController()
                .withLabelSelector(NamespaceSync.MANAGED_BY + "=" + NamespaceSync.OPERATOR)
                .withSecondaryToPrimaryMapper(cm -> allIn(cm.getMetadata().getNamespace(), context))
                .build(), context);
        InformerEventSource<Secret, R> secrets = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(Secret.class, context.getPrimaryResourceClass())
                .withName("secrets")
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(secret -> isRendered(secret)
                        ? allIn(secret.getMetadata().getNamespace(), context)
                        : referencing(secret, context))
                .build(), context);
        return List.of(rendered, secrets);
    }

    private boolean isRendered(Secret secret) {
        return secret.getMetadata().getName().equals(config.secretName())
                && secret.getMetadata().getLabels() != null
                && NamespaceSync.OPERATOR.equals(secret.getMetadata().getLabels().get(NamespaceSync.MANAGED_BY));
    }

    static <R extends CustomResource<?, BackendStatus>> Set<ResourceID> allIn(String namespace,
            EventSourceContext<R> context) {
        return context.getPrimaryCache().list(namespace).map(ResourceID::fromResource).collect(Collectors.toSet());
    }

}
