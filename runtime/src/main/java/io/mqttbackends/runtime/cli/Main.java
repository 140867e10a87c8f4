package io.mqttbackends.runtime.cli;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The jar's entry point. Without arguments it runs the service exactly as before; with arguments it runs one of the
 * commands ({@code check}, {@code convert}, {@code --help}) and exits, without starting Quarkus, MQTT or any pool:
 * Quarkus (and with it CDI and the service's beans) starts only inside {@link Quarkus#run}, which a command never
 * reaches.
 */
@QuarkusMain
public final class Main {
    private Main() {
    }

    public static void main(String... args) {
        if (args.length == 0) {
            // Quarkus's own exit handling, with the start failure printed in the short form (StartupFailure).
            Quarkus.run(null, (code, failure) -> {
                if (failure != null) {
                    StartupFailure.print(failure, System.err);
                }
                ApplicationLifecycleManager.getDefaultExitCodeHandler().accept(code, failure);
            }, args);
            return;
        }
        System.exit(Commands.run(args));
    }
}
