package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads EMQX 4.x backend conf files ({@code emqx_backend_<db>.conf}) into one validated {@link BackendsConfig}.
 *
 * <p>Grammar: {@code key = value} lines (split at the first {@code =}), {@code #} comment lines and blank lines.
 * Pools are {@code backend.<poolPrefix>.<pool>.<key>}, hooks {@code backend.<hookPrefix>.hook.<hook point>.<n> =
 * <JSON>}, a database's global settings (MongoDB's driver topology) {@code backend.<poolPrefix>.<section>.<key>}; what
 * each database accepts is its {@link DatabaseProfile}. Every file of a directory merges into one
 * configuration, so a key may be set only once across all of them.
 *
 * <p>Lines end at {@code \n} only ({@link LineTerminators}); pool values may reference values kept elsewhere
 * ({@link ConfigProviders}), resolved when the files are read; secret values never appear in an error
 * ({@link Redaction}).
 *
 * <p>Nothing is applied half-way: parsing collects every error of every file and throws them together, so a reload
 * with mistakes keeps the last good configuration and the operator sees the whole list at once.
 */
public final class ConfLoader {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*");

    /**
     * Run order: numeric suffixes by value ({@code 2} before {@code 10}), then other suffixes lexicographically;
     * equal suffixes keep file and line order because the sort is stable.
     */
    private static final Comparator<HookConfig> RUN_ORDER = (a, b) -> {
        boolean aNumeric = isNumber(a.suffix());
        boolean bNumeric = isNumber(b.suffix());
        if (aNumeric && bNumeric) {
            return new BigInteger(a.suffix()).compareTo(new BigInteger(b.suffix()));
        }
        if (aNumeric != bNumeric) {
            return aNumeric ? -1 : 1;
        }
        return a.suffix().compareTo(b.suffix());
    };

    private ConfLoader() {
    }

    /**
     * Loads every {@code *.conf} regular file of each directory (by file name within a directory, directories in
     * the order given).
     *
     * @throws ConfigException listing every error found, including directories that do not exist
     */
    public static BackendsConfig load(List<Path> dirs) throws ConfigException {
        return load(read(dirs));
    }

    /**
     * Parses a snapshot read by {@link #read(List)}.
     *
     * @throws ConfigException listing every error found, the snapshot's read errors first
     */
    public static BackendsConfig load(ConfSnapshot snapshot) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>(snapshot.errors());
        List<ConfFile> files = decode(snapshot.files(), errors);
        // Every reference was resolved when the snapshot was read, by a parse of these same files.
        BackendsConfig config = parse(files, errors, ref -> snapshot.references().getOrDefault(ref,
                new ConfigProviders.Resolution.Missing("not resolved when the files were read")));
        throwIfAny(files, errors);
        return config;
    }

    private static List<ConfFile> decode(List<ConfSnapshot.File> snapshotFiles, List<ConfigError> errors) {
        List<ConfFile> files = new ArrayList<>();
        for (ConfSnapshot.File file : snapshotFiles) {
            try {
                files.add(new ConfFile(file.path(), StandardCharsets.UTF_8.newDecoder()
                        .decode(ByteBuffer.wrap(file.content())).toString()));
            } catch (CharacterCodingException e) {
                errors.add(new ConfigError(new ConfigLocation(file.path(), 0, ""), "conf file is not UTF-8: " + e));
            }
        }
        return files;
    }

    /**
     * Reads the bytes of every {@code *.conf} file of each directory, without parsing; never throws, problems are in
     * the snapshot's errors (a directory that is missing or holds no {@code *.conf} file is one). Symbolic links are
     * followed and entries whose name starts with {@code ..} are skipped: a Kubernetes ConfigMap or Secret volume
     * holds its files as links through {@code ..data} into a hidden {@code ..<timestamp>} directory, and swaps that
     * link to update them all at once. The references of pool values are resolved with this process's environment
     * and files.
     */
    public static ConfSnapshot read(List<Path> dirs) {
        return read(dirs, ConfigProviders.system());
    }

    /** {@link #read(List)}, resolving references with {@code providers}. */
    public static ConfSnapshot read(List<Path> dirs, ConfigProviders providers) {
        List<ConfigError> errors = new ArrayList<>();
        List<ConfSnapshot.File> files = new ArrayList<>();
        for (Path dir : dirs) {
            read(dir, files, errors);
        }
        // The references are found by parsing the files as a load will, and their values kept, so that the load
        // parses exactly what the snapshot's version covers. This parse's errors are the load's to report. Files
        // without a '${' have no reference: a poll of them costs no parse.
        Map<ConfigProviders.Reference, ConfigProviders.Resolution> references = new HashMap<>();
        if (files.stream().anyMatch(f -> new String(f.content(), StandardCharsets.UTF_8).contains("${"))) {
            parse(decode(files, new ArrayList<>()), new ArrayList<>(),
                    ref -> references.computeIfAbsent(ref, providers::resolve));
        }
        return new ConfSnapshot(files, errors, references);
    }

    /**
     * Merges and validates conf file contents, in the order given, resolving references with this process's
     * environment and files.
     *
     * @throws ConfigException listing every error found
     */
    public static BackendsConfig parse(List<ConfFile> files) throws ConfigException {
        return parse(files, ConfigProviders.system());
    }

    /**
     * Merges and validates conf file contents, in the order given, resolving references with {@code providers}.
     *
     * @throws ConfigException listing every error found
     */
    public static BackendsConfig parse(List<ConfFile> files, ConfigProviders providers) throws ConfigException {
        Map<ConfigProviders.Reference, ConfigProviders.Resolution> resolved = new HashMap<>();
        List<ConfigError> errors = new ArrayList<>();
        BackendsConfig config = parse(files, errors, ref -> resolved.computeIfAbsent(ref, providers::resolve));
        throwIfAny(files, errors);
        return config;
    }

    private static void read(Path dir, List<ConfSnapshot.File> files, List<ConfigError> errors) {
        ConfigLocation at = new ConfigLocation(dir, 0, "");
        if (!Files.isDirectory(dir)) {
            errors.add(new ConfigError(at, "conf directory " + dir
                    + (Files.exists(dir) ? " is not a directory" : " does not exist")));
            return;
        }
        List<Path> confs;
        try (Stream<Path> entries = Files.list(dir)) {
            confs = entries.filter(p -> isConfFile(p) && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            errors.add(new ConfigError(at, "cannot list conf directory " + dir + ": " + e));
            return;
        }
        if (confs.isEmpty()) {
            // A mount that came up empty or a wrong path would otherwise start a runtime that stores nothing.
            errors.add(new ConfigError(at, "conf directory " + dir + " has no *.conf file"));
        }
        for (Path file : confs) {
            try {
                files.add(new ConfSnapshot.File(file, Files.readAllBytes(file)));
            } catch (IOException e) {
                errors.add(new ConfigError(new ConfigLocation(file, 0, ""), "cannot read conf file: " + e));
            }
        }
    }

    private static boolean isConfFile(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(".conf") && !name.startsWith("..");
    }

    /** Parses into {@code errors}, without throwing. */
    private static BackendsConfig parse(List<ConfFile> files, List<ConfigError> errors,
            Function<ConfigProviders.Reference, ConfigProviders.Resolution> resolver) {
        Merge merge = new Merge(errors, resolver);
        for (ConfFile file : files) {
            merge.file(file);
        }
        return merge.result(files.stream().map(ConfFile::path).toList());
    }

    private static void throwIfAny(List<ConfFile> files, List<ConfigError> errors) {
        if (!errors.isEmpty()) {
            Map<Path, Integer> fileOrder = new HashMap<>();
            for (ConfFile file : files) {
                fileOrder.putIfAbsent(file.path(), fileOrder.size());
            }
            // Directory-level errors (index -1) first, then file by file, line by line.
            List<ConfigError> sorted = new ArrayList<>(errors);
            sorted.sort(Comparator.comparingInt((ConfigError e) -> fileOrder.getOrDefault(e.location().file(), -1))
                    .thenComparingInt(e -> e.location().line()));
            throw new ConfigException(sorted);
        }
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    /**
     * One {@code key = value} line; the location carries the key.
     *
     * @param hidden whether no message may show the value: a secret key's, or one read through a reference
     */
    private record Line(ConfigLocation location, String value, boolean hidden) {
        String key() {
            return location.key();
        }
    }

    /** A leading word that looks like a conf key, which an error about a line that does not parse may show. */
    private static final Pattern LEADING_WORD = Pattern.compile("^[A-Za-z0-9_.-]+");

    /**
     * The first word of a line that does not parse, when it is a conf key ({@code backend.} something, or a pool key
     * name such as {@code password}); else nothing, since a stray word on a line of its own may be a password.
     */
    private static String keyLikeWord(String text) {
        Matcher word = LEADING_WORD.matcher(text);
        if (!word.find()) {
            return "";
        }
        String w = word.group();
        boolean keyName = Arrays.stream(DatabaseKind.values()).map(DatabaseProfile::of)
                .anyMatch(p -> p.poolKeys().containsKey(w)
                        || p.globalKeys().map(g -> g.section().equals(w) || g.keys().containsKey(w)).orElse(false));
        return w.startsWith("backend.") || keyName ? w : "";
    }

    private record PoolId(DatabaseKind kind, String name) {
    }

    private record HookLine(DatabaseKind kind, String hookPoint, String suffix, Line line) {
    }

    /** The pool keys written so far, before defaults apply. */
    private static final class PoolDraft {
        final ConfigLocation firstMention;
        final Map<String, String> written = new HashMap<>();
        final Map<String, ConfigLocation> locations = new HashMap<>();
        final Set<String> hidden = new HashSet<>();

        PoolDraft(ConfigLocation firstMention) {
            this.firstMention = firstMention;
        }
    }

    /** The state of one parse: what every file contributed, and every error so far. */
    private static final class Merge {
        private final List<ConfigError> errors;
        private final Map<String, ConfigLocation> seen = new HashMap<>();
        private final Map<PoolId, PoolDraft> pools = new LinkedHashMap<>();
        /** Global settings by database, keyed as they appear in each pool's settings ({@code topology.<key>}). */
        private final Map<DatabaseKind, Map<String, Line>> globals = new EnumMap<>(DatabaseKind.class);
        private final List<HookLine> hooks = new ArrayList<>();
        private final Function<ConfigProviders.Reference, ConfigProviders.Resolution> resolver;

        Merge(List<ConfigError> errors, Function<ConfigProviders.Reference, ConfigProviders.Resolution> resolver) {
            this.errors = errors;
            this.resolver = resolver;
        }

        /** Errors about a line that does not parse name its file, line and key-like first word, never its text. */
        void file(ConfFile file) {
            List<String> lines = LineTerminators.lines(file.content());
            for (int i = 0; i < lines.size(); i++) {
                String raw = lines.get(i);
                String text = raw.trim();
                OptionalInt terminator = LineTerminators.find(raw);
                if (terminator.isPresent()) {
                    // Comments too: the same text must mean the same to every reader, whatever it splits lines at.
                    error(new ConfigLocation(file.path(), i + 1, keyLikeWord(text)), "the line contains "
                            + LineTerminators.describe(terminator.getAsInt()) + ", a line terminator: conf lines end "
                            + "at \\n (or \\r\\n) only and no value may hold a line break (the line is not shown)");
                    continue;
                }
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                int eq = text.indexOf('=');
                if (eq < 0) {
                    error(new ConfigLocation(file.path(), i + 1, keyLikeWord(text)),
                            "expected 'key = value' (the line is not shown)");
                    continue;
                }
                String key = text.substring(0, eq).trim();
                Line line = new Line(new ConfigLocation(file.path(), i + 1, key), text.substring(eq + 1).trim(),
                        false);
                if (!KEY.matcher(key).matches()) {
                    error(new ConfigLocation(file.path(), i + 1, keyLikeWord(key)), "malformed key: use "
                            + "dot-separated words of letters, digits, '_' and '-' (the line is not shown)");
                } else if (seen.containsKey(key)) {
                    ConfigLocation first = seen.get(key);
                    error(line.location(), "duplicate key, already set at " + first.file() + ":" + first.line());
                } else {
                    seen.put(key, line.location());
                    classify(line);
                }
            }
        }

        private void classify(Line line) {
            String[] parts = line.key().split("\\.");
            if (parts.length < 3 || !parts[0].equals("backend")) {
                error(line.location(), "unknown key: expected backend.<database>.<pool>.<key> or "
                        + "backend.<database>.hook.<hook point>.<n>");
            } else if (parts.length == 3 && isLegacyOfflineKey(parts[2])) {
                // Documented (commented out) in EMQX's confs, but its schema never mapped them (EMQX 4.4's conf
                // grammar, docs/configuration.md).
                error(line.location(), "the global " + parts[2] + " had no effect in EMQX 4.x; put it in the "
                        + "offline_opts of the on_message_fetch hook");
            } else if (parts[2].equals("hook")) {
                hookKey(line, parts);
            } else {
                Optional<DatabaseKind> kind = DatabaseKind.fromPoolPrefix(parts[1]);
                Optional<DatabaseProfile.GlobalKeys> global = kind.flatMap(k -> DatabaseProfile.of(k).globalKeys())
                        .filter(g -> g.section().equals(parts[2]));
                if (global.isPresent()) {
                    globalKey(line, parts, kind.orElseThrow(), global.get());
                } else {
                    poolKey(line, parts);
                }
            }
        }

        private static boolean isLegacyOfflineKey(String word) {
            return word.equals("max_returned_count") || word.equals("time_range");
        }

        private void hookKey(Line line, String[] parts) {
            Optional<DatabaseKind> kind = DatabaseKind.fromHookPrefix(parts[1]);
            if (kind.isEmpty()) {
                error(line.location(), parts[1].equals(DatabaseKind.CASSANDRA.poolPrefix())
                        ? "Cassandra hooks are backend.cassa.hook.*; only its pools are backend.ecql.*"
                        : unknownDatabase(parts[1], DatabaseKind::hookPrefix));
                return;
            }
            if (parts.length < 6) {
                error(line.location(), "a hook key is backend." + parts[1] + ".hook.<hook point>.<n>, e.g. backend."
                        + parts[1] + ".hook.message.publish.1 (and no pool may be named 'hook')");
                return;
            }
            String suffix = String.join(".", Arrays.copyOfRange(parts, 5, parts.length));
            hooks.add(new HookLine(kind.get(), parts[3] + "." + parts[4], suffix, line));
        }

        private void globalKey(Line line, String[] parts, DatabaseKind kind, DatabaseProfile.GlobalKeys global) {
            String name = String.join(".", Arrays.copyOfRange(parts, 3, parts.length));
            PoolKey key = global.keys().get(name);
            if (key == null) {
                error(line.location(), "unknown key '" + name + "' for " + kind.poolPrefix() + " " + global.section()
                        + Hints.didYouMean(Hints.closest(name, global.keys().keySet())));
                return;
            }
            Optional<Line> resolved = resolve(line, name);
            if (resolved.isEmpty()) {
                return;
            }
            key.problem(resolved.get().value(), resolved.get().hidden()).ifPresentOrElse(
                    problem -> error(line.location(), problem),
                    () -> globals.computeIfAbsent(kind, k -> new LinkedHashMap<>())
                            .put(global.section() + "." + name, resolved.get()));
        }

        private void poolKey(Line line, String[] parts) {
            Optional<DatabaseKind> kind = DatabaseKind.fromPoolPrefix(parts[1]);
            if (kind.isEmpty()) {
                error(line.location(), parts[1].equals(DatabaseKind.CASSANDRA.hookPrefix())
                        ? "Cassandra pools are backend.ecql.<pool>.*; only its hooks are backend.cassa.hook.*"
                        : unknownDatabase(parts[1], DatabaseKind::poolPrefix));
                return;
            }
            if (parts.length < 4) {
                error(line.location(), "a pool key is backend." + parts[1] + ".<pool>.<key>, e.g. backend."
                        + parts[1] + ".pool1.pool_size");
                return;
            }
            PoolDraft pool = pools.computeIfAbsent(new PoolId(kind.get(), parts[2]),
                    id -> new PoolDraft(line.location()));
            String name = String.join(".", Arrays.copyOfRange(parts, 3, parts.length));
            DatabaseProfile profile = DatabaseProfile.of(kind.get());
            PoolKey key = profile.poolKeys().get(name);
            if (key == null) {
                error(line.location(), unknownKeyMessage(profile, name));
                return;
            }
            Optional<Line> resolved = resolve(line, name);
            if (resolved.isEmpty()) {
                return;
            }
            Optional<String> problem = key.problem(resolved.get().value(), resolved.get().hidden());
            if (problem.isPresent()) {
                error(line.location(), problem.get());
                return;
            }
            pool.written.put(name, resolved.get().value());
            pool.locations.put(name, line.location());
            if (resolved.get().hidden()) {
                pool.hidden.add(name);
            }
        }

        /**
         * The value of a pool or global line: unquoted, its references resolved, and hidden when {@code name} is a
         * secret key or a reference was resolved; empty, with the errors added, when a reference fails or resolves
         * to a line break.
         */
        private Optional<Line> resolve(Line line, String name) {
            String written = unquote(line.value());
            boolean secret = Redaction.isSecretKey(name);
            if (!written.contains("${")) {
                return Optional.of(new Line(line.location(), written, secret));
            }
            ConfigProviders.Template template;
            try {
                template = ConfigProviders.Template.parse(written);
            } catch (IllegalArgumentException e) {
                error(line.location(), e.getMessage());
                return Optional.empty();
            }
            List<ConfigProviders.Reference> references = template.references();
            boolean missing = false;
            for (ConfigProviders.Reference ref : references) {
                if (resolver.apply(ref) instanceof ConfigProviders.Resolution.Missing m) {
                    error(line.location(), "cannot resolve " + ref + ": " + m.reason());
                    missing = true;
                }
            }
            if (missing) {
                return Optional.empty();
            }
            String value = template.fill(resolver);
            Optional<String> terminator = LineTerminators.problem("the value of " + references.stream()
                    .map(Object::toString).collect(Collectors.joining(" and ")), value);
            if (terminator.isPresent()) {
                error(line.location(), terminator.get());
                return Optional.empty();
            }
            return Optional.of(new Line(line.location(), value, secret || !references.isEmpty()));
        }

        /** The error for a key outside the profile, with the hint EMQX users most likely need. */
        private static String unknownKeyMessage(DatabaseProfile profile, String key) {
            Optional<String> hint = Optional.ofNullable(profile.misnomers().get(key))
                    .or(() -> Hints.closest(key, profile.poolKeys().keySet()));
            return "unknown key '" + key + "' for " + profile.kind().poolPrefix() + " pools" + Hints.didYouMean(hint);
        }

        private static String unknownDatabase(String word, Function<DatabaseKind, String> prefix) {
            return "unknown database '" + word + "'; known here: "
                    + Arrays.stream(DatabaseKind.values()).map(prefix).collect(Collectors.joining(", "));
        }

        BackendsConfig result(List<Path> paths) {
            List<PoolConfig> poolConfigs = new ArrayList<>();
            pools.forEach((id, draft) -> {
                PoolConfig pool = pool(id, draft);
                DatabaseProfile.of(id.kind()).requirements().forEach(r -> r.check(pool).ifPresent(errors::add));
                poolConfigs.add(pool);
            });
            List<HookConfig> hookConfigs = new ArrayList<>();
            for (HookLine hook : hooks) {
                HookParser.parse(hook.kind(), hook.hookPoint(), hook.suffix(), hook.line().location(),
                                hook.line().value(), name -> pools.containsKey(new PoolId(hook.kind(), name)), errors)
                        .ifPresent(hookConfigs::add);
            }
            hookConfigs.sort(RUN_ORDER);
            return new BackendsConfig(poolConfigs, hookConfigs, paths);
        }

        private PoolConfig pool(PoolId id, PoolDraft draft) {
            Map<String, String> settings = new HashMap<>();
            DatabaseProfile.of(id.kind()).poolKeys().values().forEach(k -> settings.put(k.name(), k.defaultValue()));
            settings.putAll(draft.written);
            Map<String, ConfigLocation> locations = new HashMap<>(draft.locations);
            Set<String> hidden = new HashSet<>(draft.hidden);
            globals.getOrDefault(id.kind(), Map.of()).forEach((key, line) -> {
                settings.put(key, line.value());
                locations.put(key, line.location());
                if (line.hidden()) {
                    hidden.add(key);
                }
            });
            return new PoolConfig(id.kind(), id.name(), settings, locations, draft.firstMention, hidden);
        }

        private void error(ConfigLocation location, String message) {
            errors.add(new ConfigError(location, message));
        }

        /** EMQX conf values may be written in double quotes; the quotes are not part of the value. */
        private static String unquote(String value) {
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                return value.substring(1, value.length() - 1);
            }
            return value;
        }
    }
}
