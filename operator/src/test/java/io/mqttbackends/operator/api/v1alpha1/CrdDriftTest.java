package io.mqttbackends.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.mqttbackends.operator.testing.RepoFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed CRDs (crds/, and deploy/crds/ which kustomize needs inside its directory) are exactly what fabric8's
 * CRD generator, the one the operator SDK runs at build into target/kubernetes, makes of the API classes. To refresh
 * them after changing a class: {@code ./mvnw -B -ntp -pl operator verify -Dtest=CrdDriftTest
 * -Dmqttbackends.crds.update=true}.
 */
class CrdDriftTest {

    private static final String REFRESH = "./mvnw -B -ntp -pl operator verify -Dtest=CrdDriftTest "
            + "-Dmqttbackends.crds.update=true";

    @TempDir
    static Path generated;

    @BeforeAll
    static void generate() {
        new CRDGenerator().customResourceClasses(BackendPool.class, BackendHook.class).forCRDVersions("v1")
                .inOutputDir(generated.toFile()).generate();
    }

    @ParameterizedTest
    @ValueSource(strings = {"backendpools", "backendhooks"})
    void committedCrdsEqualTheGeneratedOnes(String plural) throws IOException {
        String expected = Files.readString(generated.resolve(plural + ".mqttbackends.io-v1.yml"));
        for (String dir : List.of("crds", "deploy/crds")) {
            Path committed = RepoFiles.path(dir + "/" + plural + ".mqttbackends.io.yaml");
            if (Boolean.getBoolean("mqttbackends.crds.update")) {
                Files.writeString(committed, expected);
            }
            assertThat(committed).exists();
            assertThat(Files.readString(committed))
                    .as("%s differs from the CRD generated from the API classes; refresh with: %s", committed, REFRESH)
                    .isEqualTo(expected);
        }
    }
}
