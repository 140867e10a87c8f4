package io.mqttbackends.operator.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mqttbackends.operator.testing.RepoFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every code block of README.md and docs/*.md marked {@code <!-- runnable -->} runs as written: in bash with
 * {@code set -euo pipefail}, from the repository root, within its timeout (docs/testing.md, "Runnable
 * documentation"). A failure names the page and line of the block and shows what it printed.
 */
class RunnableDocsIT {

    private static List<DocPages.Block> runnable() {
        return DocPages.pages().stream().flatMap(p -> DocPages.blocks(p).stream())
                .filter(DocPages.Block::runnable).toList();
    }

    @Test
    void theDocsHaveRunnableBlocks() {
        // Guards against a marker typo or a page move leaving nothing to run while the suite stays green.
        assertThat(runnable()).extracting(DocPages.Block::page)
                .contains("docs/postgresql.md", "docs/configuration.md", "docs/kubernetes.md");
    }

    @Test
    void aFailingBlockIsReportedWithItsPageLineAndOutput() {
        DocPages.Block block = new DocPages.Block("docs/example.md", 7, "bash",
                "echo before\nls /no/such/dir\necho after\n", true, 20);
        assertThatThrownBy(() -> run(block)).hasMessageContaining("docs/example.md:7")
                .hasMessageContaining("exited with status 2").hasMessageContaining("before")
                .hasMessageContaining("/no/such/dir").hasMessageNotContaining("after");
    }

    @Test
    void aFailureInsideAPipelineFailsTheBlock() {
        // pipefail: without it "false | true" would pass and the block go on.
        DocPages.Block block = new DocPages.Block("docs/example.md", 9, "bash",
                "echo before\nfalse | true\necho after\n", true, 20);
        assertThatThrownBy(() -> run(block)).hasMessageContaining("docs/example.md:9: the runnable block exited"
                + " with status 1").hasMessageNotContaining("after");
    }

    @Test
    void aBlockPastItsTimeoutIsStoppedAndReported() {
        DocPages.Block block = new DocPages.Block("docs/example.md", 3, "bash", "echo started\nsleep 60\n", true, 1);
        long start = System.nanoTime();
        assertThatThrownBy(() -> run(block)).hasMessageContaining("docs/example.md:3")
                .hasMessageContaining("did not finish within 1 s").hasMessageContaining("started");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(30);
    }

    @TestFactory
    Stream<DynamicTest> everyRunnableBlockRuns() {
        return runnable().stream().map(block -> DynamicTest.dynamicTest(block.where(), () -> run(block)));
    }

    private static void run(DocPages.Block block) throws IOException, InterruptedException {
        Path script = Files.createTempFile("runnable-doc", ".sh");
        Path output = Files.createTempFile("runnable-doc", ".out");
        try {
            Files.writeString(script, "set -euo pipefail\n" + block.text(), StandardCharsets.UTF_8);
            Process process = new ProcessBuilder("bash", script.toString())
                    .directory(RepoFiles.ROOT.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            boolean finished = process.waitFor(block.timeoutSeconds(), TimeUnit.SECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            if (!finished) {
                throw new AssertionError(block.where() + ": the runnable block did not finish within "
                        + block.timeoutSeconds() + " s; it printed:\n" + printed);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(block.where() + ": the runnable block exited with status "
                        + process.exitValue() + "; it printed:\n" + printed);
            }
        } finally {
            Files.deleteIfExists(script);
            Files.deleteIfExists(output);
        }
    }
}
