package io.mqttbackends.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The operator's packages depend one way: {@code api.v1alpha1 <- render <- status <- reconciler}. The resources'
 * API knows nothing of rendering, rendering nothing of statuses, and only the reconcilers tie everything together,
 * so each layer can be read and tested without the ones above it. Checked on the sources' text: every reference to
 * an operator package (import or fully qualified name) must point to the same layer or one below.
 */
class LayeringTest {

    /** Bottom first. */
    private static final List<String> LAYERS = List.of("api.v1alpha1", "render", "status", "reconciler");

    private static final Path SOURCES = Path.of("src/main/java/io/mqttbackends/operator");
    private static final Pattern REFERENCE = Pattern.compile("io\\.mqttbackends\\.operator\\.([a-z0-9_.]+?)\\.[A-Z*]");

    @Test
    void noPackageReferencesALayerAboveIt() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(files).as("operator sources under %s", SOURCES.toAbsolutePath()).isNotEmpty();

        List<String> violations = new ArrayList<>();
        for (Path file : files) {
            violations.addAll(violations(SOURCES.relativize(file).toString().replace('/', '.'), read(file)));
        }

        assertThat(violations).as("upward references (layers bottom first: %s)", LAYERS).isEmpty();
    }

    @Test
    void anUpwardImportAndAnUnlayeredPackageAreReported() {
        assertThat(violations("render.Problem.java", "package io.mqttbackends.operator.render;\n"
                + "import io.mqttbackends.operator.status.StatusFactory;\n"))
                .containsExactly("render.Problem.java:2 (layer render) references status");
        assertThat(violations("status.StatusFactory.java", "import io.mqttbackends.operator.render.Verdict;\n"
                + "import io.mqttbackends.operator.api.v1alpha1.Reason;")).isEmpty();
        assertThat(violations("util.Strings.java", "")).containsExactly("util.Strings.java is in no layer");
    }

    /** The references of one source file to layers above its own, as {@code file:line (layer x) references y}. */
    private static List<String> violations(String file, String text) {
        int own = layerOf(file);
        if (own < 0) {
            return List.of(file + " is in no layer");
        }
        List<String> found = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("package ")) {
                continue;
            }
            Matcher m = REFERENCE.matcher(lines[i]);
            while (m.find()) {
                int referenced = layerOf(m.group(1) + ".");
                if (referenced > own || referenced < 0) {
                    found.add(file + ":" + (i + 1) + " (layer " + LAYERS.get(own) + ") references " + m.group(1));
                }
            }
        }
        return found;
    }

    /** The index of the layer a dotted name ({@code render.Problem.java}, {@code status.}) belongs to, else -1. */
    private static int layerOf(String dotted) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (dotted.startsWith(LAYERS.get(i) + ".")) {
                return i;
            }
        }
        return -1;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
