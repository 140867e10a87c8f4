package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.HookConfig;
import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.runtime.event.MessageEvent;
import io.mqttbackends.model.Placeholder;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Redis {@code commands} template, with EMQX's rules (EMQX 4.4's statement templates, docs/configuration.md
 * "Placeholders"): the text is split on single spaces (empty
 * tokens dropped, so no argument holds a space); the first token is the command; placeholders in the second token,
 * the key, are replaced inside it; later tokens are replaced only when a placeholder is the whole token, and
 * {@code ${message}} there expands to the field/value pairs {@code id from qos topic payload ts retain}. Values go
 * to Redis as separate arguments, binary-safe, never re-split.
 *
 * <p>Besides EMQX's names, any placeholder the hook point offers is accepted (the configuration has checked them).
 * A placeholder glued to other text after the key, which EMQX would have sent literally, is rejected at load.
 */
final class RedisCommandTemplate {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    /** One token after the command name. */
    private sealed interface Token {
    }

    private record Literal(String text) implements Token {
    }

    /** The key: literal parts and placeholders alternating, starting and ending with a (maybe empty) literal. */
    private record Key(List<String> literals, List<Placeholder> placeholders) implements Token {
    }

    private record Whole(Placeholder placeholder) implements Token {
    }

    private final Command command;
    private final List<Token> arguments;

    private RedisCommandTemplate(Command command, List<Token> arguments) {
        this.command = command;
        this.arguments = arguments;
    }

    /**
     * Compiles one command of a hook whose placeholders the configuration validated.
     *
     * @throws ConfigException naming the hook line when the template cannot work as written
     */
    static RedisCommandTemplate compile(String text, HookConfig hook) {
        List<String> tokens = Arrays.stream(text.split(" ")).filter(t -> !t.isEmpty()).toList();
        if (tokens.isEmpty()) {
            throw new ConfigException(hook.location(), "empty Redis command");
        }
        if (tokens.get(0).contains("${")) {
            throw new ConfigException(hook.location(), "the command name of '" + text
                    + "' cannot be a placeholder");
        }
        List<Token> arguments = new ArrayList<>();
        for (int i = 1; i < tokens.size(); i++) {
            arguments.add(i == 1 ? key(tokens.get(i), text, hook) : later(tokens.get(i), text, hook));
        }
        return new RedisCommandTemplate(Command.create(tokens.get(0).toUpperCase()), List.copyOf(arguments));
    }

    private static Token key(String token, String text, HookConfig hook) {
        List<String> literals = new ArrayList<>();
        List<Placeholder> placeholders = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(token);
        int last = 0;
        while (m.find()) {
            Placeholder p = placeholder(m.group(1), text, hook);
            if (p == Placeholder.MESSAGE) {
                throw new ConfigException(hook.location(), "${message} expands to several arguments and cannot be"
                        + " part of the key in '" + text + "'");
            }
            literals.add(token.substring(last, m.start()));
            placeholders.add(p);
            last = m.end();
        }
        literals.add(token.substring(last));
        return placeholders.isEmpty() ? new Literal(token) : new Key(List.copyOf(literals), List.copyOf(placeholders));
    }

    private static Token later(String token, String text, HookConfig hook) {
        Matcher m = PLACEHOLDER.matcher(token);
        if (m.matches()) {
            return new Whole(placeholder(m.group(1), text, hook));
        }
        if (token.contains("${")) {
            throw new ConfigException(hook.location(), "'" + token + "' in '" + text + "': after the key a"
                    + " placeholder must be a whole argument (EMQX would send this token literally)");
        }
        return new Literal(token);
    }

    private static Placeholder placeholder(String name, String text, HookConfig hook) {
        return Placeholder.fromToken(name).orElseThrow(() -> new ConfigException(hook.location(),
                "unknown placeholder ${" + name + "} in '" + text + "'"));
    }

    /** The command for one event; a placeholder the event lacks becomes an empty argument. */
    Request bind(Event event) {
        Request request = Request.cmd(command);
        for (Token token : arguments) {
            if (token instanceof Literal literal) {
                request.arg(literal.text());
            } else if (token instanceof Key key) {
                request.arg(key(key, event));
            } else if (((Whole) token).placeholder() == Placeholder.MESSAGE) {
                RedisFunctions.messageFields(request, ((MessageEvent) event).message());
            } else {
                arg(request, event.placeholderValue(((Whole) token).placeholder()));
            }
        }
        return request;
    }

    private static String key(Key key, Event event) {
        StringBuilder sb = new StringBuilder(key.literals().get(0));
        for (int i = 0; i < key.placeholders().size(); i++) {
            Object value = event.placeholderValue(key.placeholders().get(i));
            sb.append(value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                    : value == null ? "" : value.toString());
            sb.append(key.literals().get(i + 1));
        }
        return sb.toString();
    }

    private static void arg(Request request, Object value) {
        if (value instanceof byte[] bytes) {
            request.arg(bytes);
        } else {
            request.arg(value == null ? "" : value.toString());
        }
    }
}
