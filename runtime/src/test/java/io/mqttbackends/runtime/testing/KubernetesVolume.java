package io.mqttbackends.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A directory laid out and updated the way the kubelet updates a ConfigMap or Secret volume (its AtomicWriter):
 * the files live in a hidden {@code ..<version>} directory, {@code ..data} links to it, each visible file is a link
 * {@code name -> ..data/name}, and an update writes a new hidden directory, then renames a fresh link over
 * {@code ..data}, so every file changes in one atomic step.
 */
public final class KubernetesVolume {
    private final Path dir;
    private int version;

    public KubernetesVolume(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Replaces the whole content of the volume with {@code files} (name to text) in one atomic swap. */
    public void write(Map<String, String> files) {
        try {
            Files.createDirectories(dir);
            Path data = dir.resolve("..data");
            Path previous = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
            // Past any version already there: another instance on the same directory may have written it.
            String versionName;
            do {
                versionName = "..2026_11_26_00_00_00." + (++version);
            } while (Files.exists(dir.resolve(versionName), LinkOption.NOFOLLOW_LINKS));
            Path next = Files.createDirectory(dir.resolve(versionName));
            for (Map.Entry<String, String> file : files.entrySet()) {
                Files.writeString(next.resolve(file.getKey()), file.getValue());
            }
            Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(versionName));
            Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (String name : files.keySet()) {
                Path link = dir.resolve(name);
                if (!Files.isSymbolicLink(link)) {
                    Files.createSymbolicLink(link, Path.of("..data", name));
                }
            }
            for (Path stale : visibleLinksNotIn(files.keySet())) {
                Files.delete(stale);
            }
            if (previous != null) {
                delete(previous);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Set<Path> visibleLinksNotIn(Set<String> names) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith("..") && Files.isSymbolicLink(p)
                    && !names.contains(p.getFileName().toString())).collect(Collectors.toSet());
        }
    }

    private static void delete(Path hidden) throws IOException {
        try (Stream<Path> files = Files.list(hidden)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(hidden);
    }
}
