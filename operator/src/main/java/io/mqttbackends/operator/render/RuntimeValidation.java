package io.mqttbackends.operator.render;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.BackendsConfig;
import io.mqttbackends.model.conf.ConfFile;
import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.model.conf.ConfigChecks;
import io.mqttbackends.model.conf.ConfigProviders;
import io.mqttbackends.model.conf.ConfigError;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.operator.api.v1alpha1.Reason;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Judges one resource's rendered lines with the runtime's own loader and checks (the model's {@link ConfLoader} and
 * {@link ConfigChecks}), so a resource is valid exactly when the runtime would accept it, and one that is not stays
 * out of the files instead of failing the runtime's reload of the whole namespace.
 *
 * @param availableBackends the database kinds the runtime has a backend for
 */
record RuntimeValidation(Set<DatabaseKind> availableBackends) {

    /**
     * Stands in for every credential value. User and password keys take any text, so the value never changes the
     * verdict, and this way no Secret value can reach a status message.
     */
    private static final String CREDENTIAL_STAND_IN = "secret";

    /**
     * What the runtime's environment and files hold is not the operator's to read. Rendered values are escaped
     * literals ({@link ConfLine}), so a reference can only come from a bug; it fails validation rather than reading
     * the operator's own environment.
     */
    private static final ConfigProviders NO_REFERENCES = ConfigProviders.refusing(
            "the operator writes literal values only, references are for conf files written by hand");

    RuntimeValidation {
        availableBackends = Set.copyOf(availableBackends);
    }

    /** The problem of a pool's lines on their own, if any. */
    Optional<Problem> pool(List<ConfLine> conf, List<ConfLine> credentials) {
        return check(List.of(file(Rendering.BACKENDS_FILE, conf.stream()), file(Rendering.CREDENTIALS_FILE,
                credentials.stream().map(line -> ConfLine.text(line.key(), CREDENTIAL_STAND_IN)))));
    }

    /** The problem of a hook line together with the lines of its (valid) pool, if any. */
    Optional<Problem> hook(List<ConfLine> poolConf, ConfLine hook) {
        return check(List.of(file(Rendering.BACKENDS_FILE, Stream.concat(poolConf.stream(), Stream.of(hook)))));
    }

    private Optional<Problem> check(List<ConfFile> files) {
        List<ConfigError> errors;
        try {
            BackendsConfig config = ConfLoader.parse(files, NO_REFERENCES);
            // The broker control is the runtime's setting, unknown here: nothing is refused on its account, and the
            // runtime's reload reports it. Whether the namespace has a hook at all is not one resource's problem.
            errors = ConfigChecks.againstRuntime(config, availableBackends, true).stream()
                    .filter(e -> e.category() != ConfigError.Category.NO_HOOK).toList();
        } catch (ConfigException e) {
            errors = e.errors();
        }
        if (errors.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Problem(reason(errors.get(0).category()),
                errors.stream().map(ConfigError::message).collect(Collectors.joining("; "))));
    }

    private static ConfFile file(String name, Stream<ConfLine> lines) {
        return new ConfFile(Path.of(name), lines.map(ConfLine::toString).collect(Collectors.joining("\n")));
    }

    private static Reason reason(ConfigError.Category category) {
        return switch (category) {
            case INVALID -> Reason.InvalidSpec;
            case TOPIC_FILTER -> Reason.InvalidTopicFilter;
            case ACTION -> Reason.InvalidAction;
            case FUNCTION -> Reason.FunctionNotSupported;
            case LANGUAGE -> Reason.ActionNotSupported;
            case OPTION -> Reason.OptionNotSupported;
            case TEMPLATE -> Reason.InvalidTemplate;
            case POOL_REFERENCE -> Reason.PoolNotFound;
            case BACKEND_NOT_AVAILABLE -> Reason.BackendNotAvailable;
            case BROKER_CONTROL, NO_HOOK -> throw new IllegalStateException(category + " is not checked per resource");
        };
    }
}
