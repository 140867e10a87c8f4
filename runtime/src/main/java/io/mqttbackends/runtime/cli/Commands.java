package io.mqttbackends.runtime.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The commands of the runtime jar, {@code java -jar quarkus-run.jar <command>}. Exit status: 0 success, 1 the conf
 * files have errors (printed one per line on stderr) or the output cannot be written, 2 a usage error.
 */
@Command(name = "java -jar quarkus-run.jar", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
        subcommands = {CheckCommand.class, ConvertCommand.class, CommandLine.HelpCommand.class},
        description = "MQTT Backends. Without arguments the jar runs the service; with a command it runs the command "
                + "and exits, starting neither the service nor any connection.",
        footer = {"", "Exit status: 0 success, 1 the conf files have errors (one per line on stderr as "
                + "file:line: key: message), 2 wrong usage."})
final class Commands implements Runnable {
    /** The conf files hold errors (or convert's output file cannot be written). */
    static final int CONF_ERRORS = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Commands() {
    }

    /** Runs the command line and answers the exit status; prints to stdout and stderr. */
    static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    static int run(PrintWriter out, PrintWriter err, String... args) {
        return new CommandLine(new Commands()).setOut(out).setErr(err).execute(args);
    }

    /** Without a command: the usage, as a usage error. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: check or convert");
    }

    /** The jar's version, from its manifest (Maven writes it there). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Commands.class.getPackage().getImplementationVersion();
            return new String[] {"mqtt-backends " + (version == null ? "(version unknown)" : version)};
        }
    }
}
