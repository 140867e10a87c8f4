package io.mqttbackends.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mqttbackends.operator.api.v1alpha1.BackendHook;
import io.mqttbackends.operator.api.v1alpha1.BackendPool;
import io.mqttbackends.operator.render.NamespaceRenderer;
import io.mqttbackends.operator.render.Rendering;
import io.mqttbackends.operator.render.SecretLookup;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Renders a namespace and writes the result into the runtime's ConfigMap and Secret, creating them when missing and
 * updating them only when their content changed. Every reconcile of every resource goes through here, so the files
 * always reflect all resources; a lock per namespace keeps two reconciles from writing interleaved states.
 */
@ApplicationScoped
public class NamespaceSync {

    /** Label on the rendered ConfigMap and Secret: who writes them, for a user looking at them. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String OPERATOR = "mqttbackends-operator";

    private static final Logger LOG = Logger.getLogger(NamespaceSync.class);

    private final KubernetesClient client;
    private final OperatorConfig config;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    NamespaceSync(KubernetesClient client, OperatorConfig config) {
        this.client = client;
        this.config = config;
    }

    public Rendering sync(String namespace) {
        synchronized (locks.computeIfAbsent(namespace, n -> new Object())) {
            // Listed from the API, not an informer cache: the files must never lag behind a resource just changed.
            List<BackendPool> pools = live(client.resources(BackendPool.class).inNamespace(namespace).list()
                    .getItems());
            List<BackendHook> hooks = live(client.resources(BackendHook.class).inNamespace(namespace).list()
                    .getItems());
            Map<String, Map<String, String>> credentials = credentialSecrets(namespace);
            Rendering rendering = NamespaceRenderer.render(namespace, pools, hooks,
                    name -> Optional.ofNullable(credentials.get(name)), config.availableBackends());
            writeConfigMap(namespace, rendering.backendsConf());
            writeSecret(namespace, rendering.credentialsConf());
            return rendering;
        }
    }

    private static <R extends HasMetadata> List<R> live(List<R> resources) {
        return resources.stream().filter(r -> r.getMetadata().getDeletionTimestamp() == null).toList();
    }

    /**
     * The decoded data of the namespace's credential Secrets by name. Asked with the label selector, so the API
     * server never sends the operator a Secret the user did not label for it; listed per render, not cached, so a
     * label just added counts at once.
     */
    private Map<String, Map<String, String>> credentialSecrets(String namespace) {
        Map<String, Map<String, String>> secrets = new HashMap<>();
        for (Secret secret : client.secrets().inNamespace(namespace)
                .withLabel(SecretLookup.LABEL, SecretLookup.LABEL_VALUE).list().getItems()) {
            Map<String, String> data = new HashMap<>();
            // A real API server folds stringData into data; the test server keeps it as written, so read both.
            if (secret.getStringData() != null) {
                data.putAll(secret.getStringData());
            }
            if (secret.getData() != null) {
                secret.getData().forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v),
                        StandardCharsets.UTF_8)));
            }
            secrets.put(secret.getMetadata().getName(), data);
        }
        return secrets;
    }

    private void writeConfigMap(String namespace, String conf) {
        Map<String, String> data = Map.of(Rendering.BACKENDS_FILE, conf);
        ConfigMap existing = client.configMaps().inNamespace(namespace).withName(config.configMapName()).get();
        if (existing == null) {
            client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(config.configMapName()).withNamespace(namespace)
                    .addToLabels(MANAGED_BY, OPERATOR).endMetadata()
                    .withData(data).build()).create();
            LOG.infof("created ConfigMap %s/%s", namespace, config.configMapName());
        } else if (!data.equals(existing.getData())) {
            client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder(existing).withData(data)
                    .editMetadata().addToLabels(MANAGED_BY, OPERATOR).endMetadata().build()).update();
            LOG.infof("updated ConfigMap %s/%s", namespace, config.configMapName());
        }
    }

    private void writeSecret(String namespace, String credentials) {
        Map<String, String> data = Map.of(Rendering.CREDENTIALS_FILE, Base64.getEncoder()
                .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        Secret existing = client.secrets().inNamespace(namespace).withName(config.secretName()).get();
        if (existing == null) {
            client.secrets().inNamespace(namespace).resource(new SecretBuilder()
                    .withNewMetadata().withName(config.secretName()).withNamespace(namespace)
                    .addToLabels(MANAGED_BY, OPERATOR).endMetadata()
                    .withType("Opaque").withData(data).build()).create();
            LOG.infof("created Secret %s/%s", namespace, config.secretName());
        } else if (!data.equals(existing.getData())) {
            client.secrets().inNamespace(namespace).resource(new SecretBuilder(existing).withData(data)
                    .withStringData(null).editMetadata().addToLabels(MANAGED_BY, OPERATOR).endMetadata().build())
                    .update();
            LOG.infof("updated Secret %s/%s", namespace, config.secretName());
        }
    }
}
