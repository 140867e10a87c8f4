package io.mqttbackends.model.conf;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Values kept outside the conf files, referenced from pool values the way Kafka Connect's config providers are, so no
 * password has to sit in a conf file or a ConfigMap:
 * <ul>
 * <li>{@code ${env:NAME}}: the environment variable {@code NAME};</li>
 * <li>{@code ${file:/path/to/file.properties:key}}: the value of {@code key} in a Java properties file (UTF-8);</li>
 * <li>{@code ${dir:/path/to/dir:name}}: the whole content of the file {@code name} in that directory, one trailing
 * line break removed (a mounted Kubernetes Secret holds one file per key).</li>
 * </ul>
 * A value may mix references and text ({@code ${env:DB_HOST}:5432}); {@code $${} writes a literal {@code ${}. Hook
 * values are never resolved: their {@code ${clientid}}-style placeholders have no provider prefix.
 *
 * <p>Nothing here ever puts a value into a message: errors name the reference, the file and what is missing.
 */
public final class ConfigProviders {

    /** Referenced files larger than this are refused: a Kubernetes Secret holds at most 1 MiB. */
    public static final int MAX_FILE_BYTES = 1 << 20;

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** The kinds of reference. */
    public enum Provider {
        ENV("env"), FILE("file"), DIR("dir");

        private final String word;

        Provider(String word) {
            this.word = word;
        }

        static Optional<Provider> of(String word) {
            for (Provider p : values()) {
                if (p.word.equals(word)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One reference as written: the provider, the file or directory ({@code ""} for {@code env}) and the key, file
     * name or variable name. Its text names no value, so messages may show it.
     */
    public record Reference(Provider provider, String path, String key) {
        @Override
        public String toString() {
            return "${" + provider.word + ":" + (path.isEmpty() ? "" : path + ":") + key + "}";
        }
    }

    /** What a reference resolved to. */
    public sealed interface Resolution {
        /** The referenced value. */
        record Value(String text) implements Resolution {
            @Override
            public String toString() {
                return "Value[" + Redaction.HIDDEN + "]";
            }
        }

        /** Why there is no value, e.g. "environment variable PG_PASSWORD is not set"; never holds a value. */
        record Missing(String reason) implements Resolution {
        }
    }

    /**
     * A written value split into literal text ({@link String}) and {@link Reference}s, in order.
     *
     * @param parts the parts; empty for an empty value
     */
    record Template(List<Object> parts) {

        List<Reference> references() {
            return parts.stream().filter(Reference.class::isInstance).map(Reference.class::cast).toList();
        }

        /** The value with each reference replaced by its resolution, which must all be values. */
        String fill(Function<Reference, Resolution> resolved) {
            StringBuilder text = new StringBuilder();
            for (Object part : parts) {
                text.append(part instanceof Reference ref ? ((Resolution.Value) resolved.apply(ref)).text() : part);
            }
            return text.toString();
        }

        /**
         * Parses a written value.
         *
         * @throws IllegalArgumentException when a {@code ${} starts no valid reference; the message quotes nothing of
         *                                  the value, which may be a password containing {@code ${}
         */
        static Template parse(String value) {
            List<Object> parts = new ArrayList<>();
            StringBuilder literal = new StringBuilder();
            int i = 0;
            while (i < value.length()) {
                if (value.startsWith("$${", i)) {
                    literal.append("${");
                    i += 3;
                } else if (value.startsWith("${", i)) {
                    int close = value.indexOf('}', i + 2);
                    if (close < 0) {
                        throw new IllegalArgumentException("a '${' without its closing '}'; " + SYNTAX);
                    }
                    if (!literal.isEmpty()) {
                        parts.add(literal.toString());
                        literal.setLength(0);
                    }
                    parts.add(reference(value.substring(i + 2, close)));
                    i = close + 1;
                } else {
                    literal.append(value.charAt(i));
                    i++;
                }
            }
            if (!literal.isEmpty()) {
                parts.add(literal.toString());
            }
            return new Template(List.copyOf(parts));
        }

        private static final String SYNTAX = "a reference is ${env:NAME}, ${file:/path/file.properties:key} or "
                + "${dir:/path/dir:name}, and $${ writes a literal '${' (the value is not shown)";

        private static Reference reference(String inner) {
            int colon = inner.indexOf(':');
            Optional<Provider> provider = colon < 0 ? Optional.empty() : Provider.of(inner.substring(0, colon));
            if (provider.isEmpty()) {
                throw new IllegalArgumentException("a '${' that names no provider env, file or dir; " + SYNTAX);
            }
            String rest = inner.substring(colon + 1);
            if (provider.get() == Provider.ENV) {
                if (!ENV_NAME.matcher(rest).matches()) {
                    throw new IllegalArgumentException("${env:...} needs a variable name of letters, digits and "
                            + "'_'; " + SYNTAX);
                }
                return new Reference(Provider.ENV, "", rest);
            }
            // The last colon splits: a path may hold one, a properties key or Secret key rarely does.
            int split = rest.lastIndexOf(':');
            String word = provider.get().word;
            if (split < 0 || split == rest.length() - 1 || !rest.startsWith("/")) {
                throw new IllegalArgumentException("${" + word + ":...} needs an absolute path, a ':' and a "
                        + (provider.get() == Provider.FILE ? "key" : "file name") + "; " + SYNTAX);
            }
            String key = rest.substring(split + 1);
            if (provider.get() == Provider.DIR && (key.contains("/") || key.equals(".") || key.equals(".."))) {
                throw new IllegalArgumentException("${dir:...} takes a file name inside the directory, not a path; "
                        + SYNTAX);
            }
            return new Reference(provider.get(), rest.substring(0, split), key);
        }
    }

    private final Function<String, String> environment;
    private final Optional<String> refusal;

    private ConfigProviders(Function<String, String> environment, Optional<String> refusal) {
        this.environment = environment;
        this.refusal = refusal;
    }

    /** This process's environment and file system: what the runtime resolves with. */
    public static ConfigProviders system() {
        return new ConfigProviders(System::getenv, Optional.empty());
    }

    /** The file system, with {@code environment} in place of the process's environment (tests). */
    public static ConfigProviders withEnvironment(Map<String, String> environment) {
        Map<String, String> copy = Map.copyOf(environment);
        return new ConfigProviders(copy::get, Optional.empty());
    }

    /**
     * Resolves nothing: every reference is missing, for {@code why}. For a front end that checks conf text on
     * behalf of a runtime whose environment and files it cannot see (the operator).
     */
    public static ConfigProviders refusing(String why) {
        return new ConfigProviders(name -> null, Optional.of(why));
    }

    /**
     * The conf text that reads back as exactly {@code literal}: every {@code ${} written as {@code $${}, so that no
     * part of it is ever taken for a reference (a Secret value the operator renders, for one).
     */
    public static String escape(String literal) {
        return literal.replace("${", "$${");
    }

    /** Looks a reference up now. */
    public Resolution resolve(Reference ref) {
        if (refusal.isPresent()) {
            return new Resolution.Missing(refusal.get());
        }
        return switch (ref.provider()) {
            case ENV -> Optional.ofNullable(environment.apply(ref.key()))
                    .<Resolution>map(Resolution.Value::new)
                    .orElseGet(() -> new Resolution.Missing("environment variable " + ref.key() + " is not set"));
            case FILE -> {
                Resolution file = read(Path.of(ref.path()));
                if (!(file instanceof Resolution.Value text)) {
                    yield file;
                }
                Optional<Properties> props = properties(text.text());
                if (props.isEmpty()) {
                    yield new Resolution.Missing("file " + ref.path() + " is not a valid properties file");
                }
                String value = props.get().getProperty(ref.key());
                yield value == null ? new Resolution.Missing("file " + ref.path() + " has no key '" + ref.key() + "'")
                        : new Resolution.Value(value);
            }
            case DIR -> {
                Resolution file = read(Path.of(ref.path()).resolve(ref.key()));
                yield file instanceof Resolution.Value text ? new Resolution.Value(stripLineBreak(text.text())) : file;
            }
        };
    }

    /** A file's text, or why it cannot be read (never with any of its content). */
    private static Resolution read(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                return new Resolution.Missing("file " + file
                        + (Files.exists(file) ? " is not a regular file" : " does not exist"));
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                return new Resolution.Missing("file " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            byte[] bytes = Files.readAllBytes(file);
            return new Resolution.Value(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return new Resolution.Missing("file " + file + " is not UTF-8");
        } catch (IOException | SecurityException e) {
            // Only the exception's type: what it says is not ours to vouch for.
            return new Resolution.Missing("file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Optional<Properties> properties(String text) {
        Properties props = new Properties();
        try {
            props.load(new StringReader(text));
            return Optional.of(props);
        } catch (IOException | IllegalArgumentException e) {
            // A malformed backslash-u escape: the file cannot be read as properties at all.
            return Optional.empty();
        }
    }

    /** One trailing line break, as a file written by an editor or {@code echo} ends; a Secret's key usually has none. */
    private static String stripLineBreak(String text) {
        String stripped = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return stripped.endsWith("\r") && !stripped.equals(text) ? stripped.substring(0, stripped.length() - 1)
                : stripped;
    }
}
