package io.mqttbackends.runtime.config;

import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.ConfigError;
import io.mqttbackends.model.conf.ConfSnapshot;
import io.mqttbackends.model.conf.ConfLoader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mqttbackends.runtime.testing.KubernetesVolume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the conf directories as the runtime and its hash see them: Kubernetes volumes, links, hidden entries. */
class ConfSnapshotTest {
    /** The hash of a.conf "x = 1" and b.conf "y = 2": the vector of the model's ConfHashTest. */
    private static final String HASH_OF_A_AND_B =
            "73e6731690619a682ab20103299f3901ba902f6a9b9cfb6f306b9227594219b8";


    @TempDir
    Path root;

    @Test
    void plainFilesOfTwoDirectoriesHashToTheSharedVector() throws IOException {
        Path conf = Files.createDirectory(root.resolve("conf"));
        Path credentials = Files.createDirectory(root.resolve("credentials"));
        Files.writeString(conf.resolve("b.conf"), "y = 2\n");
        Files.writeString(credentials.resolve("a.conf"), "x = 1\n");
        Files.writeString(conf.resolve("notes.txt"), "not a conf file");

        ConfSnapshot snapshot = ConfLoader.read(List.of(conf, credentials));

        assertThat(snapshot.errors()).isEmpty();
        assertThat(snapshot.files()).extracting(f -> f.path().getFileName().toString())
                .containsExactly("b.conf", "a.conf");
        assertThat(snapshot.hash()).isEqualTo(HASH_OF_A_AND_B);
    }

    @Test
    void aKubernetesVolumeIsReadThroughItsLinksAndItsHiddenEntriesAreIgnored() {
        KubernetesVolume volume = new KubernetesVolume(root.resolve("conf"));
        volume.write(Map.of("a.conf", "x = 1\n", "b.conf", "y = 2\n"));
        assertThat(volume.dir().resolve("..data")).isSymbolicLink();
        assertThat(volume.dir().resolve("a.conf")).isSymbolicLink();

        ConfSnapshot snapshot = ConfLoader.read(List.of(volume.dir()));

        assertThat(snapshot.errors()).isEmpty();
        assertThat(snapshot.files()).extracting(f -> f.path().getFileName().toString())
                .containsExactly("a.conf", "b.conf");
        assertThat(snapshot.hash()).isEqualTo(HASH_OF_A_AND_B);
    }

    @Test
    void entriesStartingWithTwoDotsAreSkippedEvenWhenNamedConf() throws IOException {
        Path conf = Files.createDirectory(root.resolve("conf"));
        Files.writeString(conf.resolve("a.conf"), "x = 1\n");
        Files.writeString(conf.resolve("b.conf"), "y = 2\n");
        Files.writeString(conf.resolve("..old.conf"), "backend.nonsense = 1\n");

        assertThat(ConfLoader.read(List.of(conf)).hash()).isEqualTo(HASH_OF_A_AND_B);
    }

    @Test
    void aSwapOfTheVolumeChangesWhatIsReadAndDropsRemovedFiles() {
        KubernetesVolume volume = new KubernetesVolume(root.resolve("conf"));
        volume.write(Map.of("a.conf", "x = 1\n", "old.conf", "z = 3\n"));
        volume.write(Map.of("a.conf", "x = 1\n", "b.conf", "y = 2\n"));

        ConfSnapshot snapshot = ConfLoader.read(List.of(volume.dir()));

        assertThat(snapshot.errors()).isEmpty();
        assertThat(snapshot.hash()).isEqualTo(HASH_OF_A_AND_B);
    }

    @Test
    void aSymbolicLinkToAFileElsewhereIsFollowed() throws IOException {
        Path conf = Files.createDirectory(root.resolve("conf"));
        Path elsewhere = Files.createDirectory(root.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("real-a.conf"), "x = 1\n");
        Files.createSymbolicLink(conf.resolve("a.conf"), elsewhere.resolve("real-a.conf"));
        Files.writeString(conf.resolve("b.conf"), "y = 2\n");

        assertThat(ConfLoader.read(List.of(conf)).hash()).isEqualTo(HASH_OF_A_AND_B);
    }

    @Test
    void aMissingDirectoryAndABytesNotUtf8FileAreErrorsNamingThem() throws IOException {
        Path conf = Files.createDirectory(root.resolve("conf"));
        Files.write(conf.resolve("latin1.conf"), new byte[] {'#', ' ', (byte) 0xE9, '\n'});

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfLoader.load(ConfLoader.read(List.of(conf, root.resolve("missing")))));

        assertThat(e.errors()).extracting(ConfigError::toString).anySatisfy(
                s -> assertThat(s).contains("missing").contains("does not exist"));
        assertThat(e.errors()).extracting(ConfigError::toString).anySatisfy(
                s -> assertThat(s).contains("latin1.conf:0").contains("not UTF-8"));
    }
}
