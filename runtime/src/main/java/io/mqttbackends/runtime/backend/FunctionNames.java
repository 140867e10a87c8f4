package io.mqttbackends.runtime.backend;

import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.HookConfig;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A backend's built-in functions as an enum whose constants are the conf names upper-cased
 * ({@code ON_CLIENT_CONNECTED} for {@code on_client_connected}): the names to report as {@link Backend#functions()}
 * and the lookup of a hook's function name.
 *
 * @param <E> the backend's function enum
 */
public final class FunctionNames<E extends Enum<E>> {
    private final String database;
    private final Map<String, E> byConfName;

    private FunctionNames(String database, Class<E> functions) {
        this.database = database;
        this.byConfName = Arrays.stream(functions.getEnumConstants())
                .collect(Collectors.toUnmodifiableMap(FunctionNames::confName, Function.identity()));
    }

    /** The functions of {@code database} ({@code pgsql}, {@code redis}, ...), one per constant of {@code functions}. */
    public static <E extends Enum<E>> FunctionNames<E> of(String database, Class<E> functions) {
        return new FunctionNames<>(database, functions);
    }

    /** The name a hook line writes for a function. */
    public static String confName(Enum<?> function) {
        return function.name().toLowerCase(Locale.ROOT);
    }

    /** Every function name, as written in hook lines. */
    public Set<String> names() {
        return byConfName.keySet();
    }

    /**
     * The function a hook names.
     *
     * @throws ConfigException naming the hook line when this database has no such function
     */
    public E resolve(String function, HookConfig hook) {
        E found = byConfName.get(function);
        if (found == null) {
            throw new ConfigException(hook.location(), "unknown " + database + " function '" + function
                    + "'; known: " + byConfName.keySet().stream().sorted().collect(Collectors.joining(", ")));
        }
        return found;
    }
}
