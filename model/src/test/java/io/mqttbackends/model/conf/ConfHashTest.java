package io.mqttbackends.model.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The hash the runtime reports and the operator compares: a fixed vector both sides assert. */
class ConfHashTest {

    /** sha256("a.conf\0x = 1\n\0b.conf\0y = 2\n\0"), computed by hand; the runtime's ConfSnapshotTest reads it from disk. */
    static final String VECTOR = "73e6731690619a682ab20103299f3901ba902f6a9b9cfb6f306b9227594219b8";

    @Test
    void twoFilesHashToTheSharedVector() {
        assertThat(ConfHash.of(List.of(ConfHash.Input.utf8("a.conf", "x = 1\n"), ConfHash.Input.utf8("b.conf", "y = 2\n"))))
                .isEqualTo(VECTOR);
    }

    @Test
    void filesAreOrderedByNameWhateverOrderTheyComeIn() {
        assertThat(ConfHash.of(List.of(ConfHash.Input.utf8("b.conf", "y = 2\n"), ConfHash.Input.utf8("a.conf", "x = 1\n"))))
                .isEqualTo(VECTOR);
    }

    @Test
    void equalNamesFromTwoDirectoriesAreOrderedByContent() {
        String oneWay = ConfHash.of(List.of(ConfHash.Input.utf8("a.conf", "x = 2\n"), ConfHash.Input.utf8("a.conf", "x = 1\n")));
        String otherWay = ConfHash.of(List.of(ConfHash.Input.utf8("a.conf", "x = 1\n"), ConfHash.Input.utf8("a.conf", "x = 2\n")));
        assertThat(oneWay).isEqualTo(otherWay).matches("[0-9a-f]{64}");
    }

    @Test
    void theSeparatorKeepsNameAndContentApart() {
        assertThat(ConfHash.of(List.of(ConfHash.Input.utf8("a.conf", "x"))))
                .isNotEqualTo(ConfHash.of(List.of(ConfHash.Input.utf8("a.confx", ""))));
    }

    @Test
    void anyByteOfContentChangesTheHash() {
        assertThat(ConfHash.of(List.of(ConfHash.Input.utf8("a.conf", "x = 1\n"), ConfHash.Input.utf8("b.conf", "y = 3\n"))))
                .isNotEqualTo(VECTOR);
    }
}
