package io.mqttbackends.runtime.cli;

import io.mqttbackends.model.conf.BackendsConfig;
import io.mqttbackends.model.conf.PoolConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code check DIR...}: validates conf directories as the service would load them ({@link ConfCheck}). */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validates conf directories as the service loads them at start: the conf files' syntax, keys, "
                + "values and hooks, what this build and broker control can run, the TLS files the pools name and "
                + "the Redis command templates. Connects to nothing. Prints every error as file:line: key: message "
                + "on stderr and exits 1, or prints one OK line and exits 0.")
final class CheckCommand implements Callable<Integer> {

    /** The values of {@code mqttbackends.broker-control.type}. */
    enum BrokerControlType { mqtt, emqx }

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Conf directories, as mqttbackends.conf-dir "
            + "lists them: every *.conf file of each is read.")
    List<Path> dirs;

    @Option(names = "--broker-control", paramLabel = "TYPE", description = "The service's broker control: mqtt or "
            + "emqx (only emqx can run on_subscribe_lookup). Default: the setting mqttbackends.broker-control.type "
            + "from the system property or the MQTTBACKENDS_BROKER_CONTROL_TYPE environment variable, else mqtt.")
    BrokerControlType brokerControl;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConfCheck.Result result = ConfCheck.run(dirs, brokerControl() == BrokerControlType.emqx);
        if (!result.errors().isEmpty()) {
            result.errors().forEach(e -> err.println(ErrorLines.format(e)));
            err.println(ErrorLines.count(result.errors().size(), "error") + ": the service would not start on "
                    + dirs.stream().map(Path::toString).collect(Collectors.joining(", ")));
            return Commands.CONF_ERRORS;
        }
        BackendsConfig config = result.config().orElseThrow();
        out.println("OK: " + ErrorLines.count(config.pools().size(), "pool") + " ("
                + config.pools().stream().map(PoolConfig::qualifiedName).collect(Collectors.joining(", ")) + "), "
                + ErrorLines.count(config.hooks().size(), "hook") + " from "
                + ErrorLines.count(config.files().size(), "file"));
        return 0;
    }

    /** The option, else the service's own setting as the service would read it from a property or the environment. */
    private BrokerControlType brokerControl() {
        if (brokerControl != null) {
            return brokerControl;
        }
        String setting = System.getProperty("mqttbackends.broker-control.type",
                System.getenv().getOrDefault("MQTTBACKENDS_BROKER_CONTROL_TYPE", "mqtt"));
        try {
            return BrokerControlType.valueOf(setting.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "mqttbackends.broker-control.type is '"
                    + setting + "': expected mqtt or emqx");
        }
    }
}
