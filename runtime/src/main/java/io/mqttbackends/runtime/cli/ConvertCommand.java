package io.mqttbackends.runtime.cli;

import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.convert.EmqxConverter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code convert DIR...}: EMQX 4.4 conf files to BackendPool / BackendHook YAML and a Secret template. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Turns EMQX 4.4 conf files (emqx_backend_*.conf) into BackendPool and BackendHook resources and "
                + "a Secret template for their credentials, as YAML for kubectl apply: the operator renders them back "
                + "into the same configuration. The files are first checked as the service loads them; an error, or a "
                + "key no resource field holds, is printed as file:line: key: message and nothing is written.")
final class ConvertCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Directories of EMQX conf files: every *.conf "
            + "file of each is read.")
    List<Path> dirs;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the YAML to FILE instead of "
            + "stdout.")
    Path output;

    @Option(names = "--namespace", paramLabel = "NS", description = "Set metadata.namespace of every resource "
            + "(default: none, kubectl's current namespace).")
    String namespace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EmqxConverter.Conversion conversion;
        try {
            conversion = EmqxConverter.convert(dirs, Optional.ofNullable(namespace));
        } catch (ConfigException e) {
            e.errors().forEach(error -> err.println(ErrorLines.format(error)));
            err.println(ErrorLines.count(e.errors().size(), "error") + ": nothing converted");
            return Commands.CONF_ERRORS;
        }
        if (output == null) {
            out.print(conversion.yaml());
            out.flush();
        } else {
            try {
                Files.writeString(output, conversion.yaml());
            } catch (IOException e) {
                err.println(output + ": cannot write: " + e.getMessage());
                return Commands.CONF_ERRORS;
            }
        }
        long pools = count(conversion, "BackendPool");
        long hooks = count(conversion, "BackendHook");
        // The summary goes to stderr, so that stdout stays YAML for a pipe into kubectl apply -f -.
        err.println("converted " + ErrorLines.count((int) pools, "BackendPool") + " and "
                + ErrorLines.count((int) hooks, "BackendHook") + (output == null ? "" : " into " + output));
        if (!conversion.secretKeys().isEmpty()) {
            err.println("Secret " + EmqxConverter.SECRET_NAME + ": write the real values over the placeholders of:");
            conversion.secretKeys().forEach((key, at) -> err.println("  " + key + " (from " + at.file() + ":"
                    + at.line() + ")"));
        }
        return 0;
    }

    private static long count(EmqxConverter.Conversion conversion, String kind) {
        return conversion.documents().stream().filter(d -> kind.equals(d.get("kind")))
                .count();
    }
}
