package io.mqttbackends.operator.testing;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mqttbackends.operator.render.Rendering;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;

/**
 * The two directories a kubelet would mount the rendered ConfigMap and Secret into, for a runtime started with
 * {@link #confDirs()}; the end-to-end tests copy what the operator rendered into them, as the kubelet would.
 */
public final class MountedConf {

    private final Path confDir;
    private final Path credentialsDir;

    private MountedConf(Path confDir, Path credentialsDir) {
        this.confDir = confDir;
        this.credentialsDir = credentialsDir;
    }

    /** Two empty directories under a new temporary directory. */
    public static MountedConf create(String prefix) throws IOException {
        Path root = Files.createTempDirectory(prefix);
        return new MountedConf(Files.createDirectory(root.resolve("conf")),
                Files.createDirectory(root.resolve("credentials")));
    }

    /** The runtime's {@code mqttbackends.conf-dir}. */
    public String confDirs() {
        return confDir + "," + credentialsDir;
    }

    /**
     * Writes the rendered ConfigMap and Secret of {@code namespace} into the two directories the way the kubelet swaps
     * them: the new file appears in one atomic rename, never half-written. Returns the hash of what was written.
     */
    public String mount(KubernetesClient client, String namespace) throws IOException {
        ConfigMap cm = client.configMaps().inNamespace(namespace).withName("mqttbackends-conf").get();
        Secret secret = client.secrets().inNamespace(namespace).withName("mqttbackends-credentials").get();
        String backends = cm.getData().get(Rendering.BACKENDS_FILE);
        String credentials = new String(Base64.getDecoder().decode(secret.getData().get(Rendering.CREDENTIALS_FILE)),
                StandardCharsets.UTF_8);
        atomicWrite(confDir.resolve(Rendering.BACKENDS_FILE), backends);
        atomicWrite(credentialsDir.resolve(Rendering.CREDENTIALS_FILE), credentials);
        return Rendering.hash(backends, credentials);
    }

    private static void atomicWrite(Path file, String content) throws IOException {
        // Dot-dot prefix: the runtime skips such entries, as it skips the kubelet's ..data directories.
        Path tmp = file.resolveSibling("..tmp-" + file.getFileName());
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
