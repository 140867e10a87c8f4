package io.mqttbackends.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Files of the repository outside the operator module (crds/, deploy/), read as YAML documents. */
public final class RepoFiles {

    /** Tests run in operator/; the repository root is its parent. */
    public static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private RepoFiles() {
    }

    public static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    /** Every YAML document of a file (several may be separated by ---). */
    public static List<JsonNode> documents(Path file) {
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            return documents(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    /** Every YAML document of a text, e.g. what a command printed. */
    public static List<JsonNode> documents(String yaml) {
        try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
            return documents(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse YAML: " + e.getMessage(), e);
        }
    }

    private static List<JsonNode> documents(YAMLParser parser) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        YAML.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
        return documents;
    }

    public static JsonNode document(Path file) {
        List<JsonNode> documents = documents(file);
        if (documents.size() != 1) {
            throw new IllegalStateException(file + " holds " + documents.size() + " documents, expected 1");
        }
        return documents.get(0);
    }

    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
