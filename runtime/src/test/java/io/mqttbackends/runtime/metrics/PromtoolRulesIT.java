package io.mqttbackends.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.runtime.testing.MonitoringFiles;
import io.mqttbackends.runtime.testing.Shell;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/**
 * The shipped alert rules with Prometheus's own tool ({@code promtool}, from Debian's {@code prometheus} package,
 * which {@code deploy/local/services.sh} installs; without it these tests fail, they do not skip): the file is valid
 * and each alert fires and resolves on the synthetic series of {@code mqttbackends-rules.test.yaml}.
 */
class PromtoolRulesIT {

    @Test
    void theRulesFileIsValidForPrometheus() {
        String output = promtool("check", "rules", MonitoringFiles.RULES.toString());
        System.out.println(output);
        assertThat(output).contains("SUCCESS: 6 rules found");
    }

    @Test
    void eachAlertFiresAndResolvesOnSyntheticSeries() {
        String output = promtool("test", "rules", MonitoringFiles.RULES_TEST.toString());
        System.out.println(output);
        assertThat(output).contains("SUCCESS").doesNotContain("FAILED");
    }

    /** Runs promtool; fails with its output when it fails, and with how to install it when it is missing. */
    private static String promtool(String... arguments) {
        String[] command = new String[arguments.length + 1];
        command[0] = "promtool";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        try {
            return Shell.run(command);
        } catch (UncheckedIOException e) {
            throw new AssertionError("promtool could not run (apt-get install -y prometheus; deploy/local/services.sh"
                    + " installs it): " + e.getMessage(), e);
        }
    }
}
