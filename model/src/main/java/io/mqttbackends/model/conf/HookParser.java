package io.mqttbackends.model.conf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.FunctionCatalog;
import io.mqttbackends.model.HookPoint;
import io.mqttbackends.model.Placeholder;
import io.mqttbackends.model.TopicFilters;
import io.mqttbackends.model.conf.ActionSpec.Language;
import io.mqttbackends.model.conf.ConfigError.Category;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns one hook line's JSON value into a {@link HookConfig}, reporting every problem of the line rather than the
 * first, because an operator fixing a conf file wants the whole list at once.
 */
final class HookParser {

    /**
     * The deepest nesting a hook's JSON may have. A hook needs two levels (its action, its offline_opts); the bound
     * keeps a hostile line from costing a deep recursion in the parser and in everything that walks the tree.
     */
    static final int MAX_NESTING_DEPTH = 32;

    /** The longest hook value, in characters: room for long statement lists, not for a file pasted onto a line. */
    static final int MAX_LENGTH = 65_536;

    /**
     * Rejects duplicate JSON keys and trailing text, which Jackson would otherwise drop silently, and nesting deeper
     * than {@link #MAX_NESTING_DEPTH}.
     */
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> TOP_LEVEL_KEYS = Stream.concat(Stream.of("topic", "action", "pool"),
            Arrays.stream(HookOption.values()).map(HookOption::key)).collect(Collectors.toUnmodifiableSet());
    private static final List<String> ACTION_KEYS = List.of("function", "sql", "cql", "commands");

    /** EMQX replaced a missing or non-positive Redis {@code expired_time} with this many seconds. */
    static final int DEFAULT_EXPIRED_TIME = 7200;

    private static final Pattern DURATION = Pattern.compile("(?:\\d+[dhms])+");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)([dhms])");

    private final DatabaseKind kind;
    private final DatabaseProfile profile;
    private final ConfigLocation location;
    private final List<ConfigError> errors;
    private final int errorsBefore;

    private HookParser(DatabaseKind kind, ConfigLocation location, List<ConfigError> errors) {
        this.kind = kind;
        this.profile = DatabaseProfile.of(kind);
        this.location = location;
        this.errors = errors;
        this.errorsBefore = errors.size();
    }

    /**
     * Parses {@code backend.<kind>.hook.<hookPoint>.<suffix> = <json>}.
     *
     * @param poolExists whether a pool of {@code kind} with that name is configured
     * @param errors     receives every problem of the line
     * @return the hook, empty when the line has errors
     */
    static Optional<HookConfig> parse(DatabaseKind kind, String hookPointName, String suffix, ConfigLocation location,
            String json, Predicate<String> poolExists, List<ConfigError> errors) {
        return new HookParser(kind, location, errors).parse(hookPointName, suffix, json, poolExists);
    }

    private Optional<HookConfig> parse(String hookPointName, String suffix, String json,
            Predicate<String> poolExists) {
        Optional<HookPoint> hookPoint = hookPoint(hookPointName);
        if (json.length() > MAX_LENGTH) {
            error("the hook is " + json.length() + " characters long; at most " + MAX_LENGTH + " are allowed");
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (StreamConstraintsException e) {
            error("the hook's JSON nests deeper than " + MAX_NESTING_DEPTH + " levels");
            return Optional.empty();
        } catch (JsonProcessingException e) {
            // Some parse errors come without a location; the message still says what is wrong.
            JsonLocation at = e.getLocation();
            error("malformed JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " (column " + at.getColumnNr() + ")"));
            return Optional.empty();
        }
        if (root == null || !root.isObject()) {
            error("the value must be a JSON object like {\"action\": {\"function\": \"...\"}, \"pool\": \"pool1\"}");
            return Optional.empty();
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!TOP_LEVEL_KEYS.contains(name)) {
                error("unknown key '" + name + "' in the hook" + Hints.didYouMean(Hints.closest(name, TOP_LEVEL_KEYS))
                        + "; known: " + String.join(", ", TOP_LEVEL_KEYS.stream().sorted().toList()));
            }
        }
        Optional<String> topic = topic(root.get("topic"));
        Optional<ActionSpec> action = action(root.get("action"), hookPoint);
        Optional<String> pool = pool(root.get("pool"), poolExists);
        OfflineOpts offlineOpts = offlineOpts(root.get(HookOption.OFFLINE_OPTS.key()), action);
        OptionalInt expiredTime = expiredTime(root.get(HookOption.EXPIRED_TIME.key()));
        Optional<PayloadFormat> payloadFormat = payloadFormat(root.get(HookOption.PAYLOAD_FORMAT.key()), action);
        if (errors.size() > errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new HookConfig(kind, hookPoint.orElseThrow(), suffix, topic, action.orElseThrow(),
                pool.orElseThrow(), offlineOpts, expiredTime, payloadFormat, location));
    }

    private Optional<HookPoint> hookPoint(String name) {
        Optional<HookPoint> hookPoint = HookPoint.fromConfName(name);
        if (hookPoint.isEmpty()) {
            if (name.equals("session.created")) {
                // Older Chinese docs put on_subscribe_lookup there; the 4.x schema has no such hook (EMQX 4.4's conf
                // grammar, docs/configuration.md).
                error("hook point session.created does not exist in EMQX 4.x backends; "
                        + "use client.connected (e.g. backend." + kind.hookPrefix() + ".hook.client.connected.2)");
            } else {
                List<String> known = Arrays.stream(HookPoint.values()).map(HookPoint::confName).toList();
                error("unknown hook point '" + name + "'" + Hints.didYouMean(Hints.closest(name, known))
                        + "; known: " + String.join(", ", known));
            }
        }
        return hookPoint;
    }

    private Optional<String> topic(JsonNode node) {
        if (node == null) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            error(Category.TOPIC_FILTER, "topic must be a string (an MQTT topic filter)");
            return Optional.empty();
        }
        Optional<String> problem = TopicFilters.problem(node.asText());
        problem.ifPresent(p -> error(Category.TOPIC_FILTER, "topic '" + node.asText()
                + "' is not a valid MQTT topic filter: " + p));
        return Optional.of(node.asText());
    }


    private Optional<ActionSpec> action(JsonNode node, Optional<HookPoint> hookPoint) {
        if (node == null) {
            error(Category.ACTION, "action is missing; give " + actionHint());
            return Optional.empty();
        }
        if (!node.isObject()) {
            error(Category.ACTION, "action must be a JSON object with one of: " + String.join(", ", ACTION_KEYS));
            return Optional.empty();
        }
        List<String> given = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (ACTION_KEYS.contains(name)) {
                given.add(name);
            } else {
                error(Category.ACTION, "unknown key '" + name + "' in action; known: "
                        + String.join(", ", ACTION_KEYS));
            }
        }
        if (given.size() != 1) {
            error(Category.ACTION, "action must have exactly one of " + String.join(", ", ACTION_KEYS)
                    + (given.isEmpty() ? "" : "; found " + String.join(", ", given)));
            return Optional.empty();
        }
        String key = given.get(0);
        if (key.equals("function")) {
            return function(node.get(key), hookPoint);
        }
        Language language = Arrays.stream(Language.values()).filter(l -> l.key().equals(key)).findFirst()
                .orElseThrow();
        return statements(language, node.get(key), hookPoint);
    }

    private Optional<ActionSpec> function(JsonNode node, Optional<HookPoint> hookPoint) {
        if (!node.isTextual() || node.asText().isEmpty()) {
            error(Category.ACTION, "action.function must be a function name");
            return Optional.empty();
        }
        String name = node.asText();
        if (!profile.functions().contains(name)) {
            error(Category.FUNCTION, "function '" + name + "' does not exist for " + kind
                    + Hints.didYouMean(Hints.closest(name, profile.functions())));
            return Optional.empty();
        }
        HookPoint required = FunctionCatalog.hookPoint(name).orElseThrow();
        if (hookPoint.isPresent() && hookPoint.get() != required) {
            error(Category.FUNCTION, "function '" + name + "' works on " + required + " only, not on "
                    + hookPoint.get());
        }
        return Optional.of(new ActionSpec.Function(name));
    }

    private Optional<ActionSpec> statements(Language language, JsonNode node, Optional<HookPoint> hookPoint) {
        Optional<Language> own = profile.statementLanguage();
        if (own.isEmpty()) {
            error(Category.LANGUAGE, profile.title() + " hooks cannot run '" + language.key()
                    + "' statements: only functions exist for " + profile.title());
            return Optional.empty();
        }
        if (own.get() != language) {
            error(Category.LANGUAGE, "'" + language.key() + "' statements do not run on " + kind + "; use '"
                    + own.get().key() + "'");
            return Optional.empty();
        }
        List<String> statements = new ArrayList<>();
        // One EMQ default conf gives pgsql a single string (EMQX 4.4's conf grammar, docs/configuration.md): accepted
        // as a one-element list.
        if (node.isTextual()) {
            statements.add(node.asText());
        } else if (node.isArray() && allTextual(node)) {
            node.forEach(s -> statements.add(s.asText()));
        } else {
            error(Category.ACTION, "action." + language.key() + " must be an array of strings");
            return Optional.empty();
        }
        boolean pipeline = language == Language.COMMANDS && !statements.isEmpty()
                && statements.get(0).equals("pipeline");
        if (pipeline) {
            statements.remove(0);
        }
        if (statements.isEmpty() || statements.stream().anyMatch(String::isBlank)) {
            error(Category.ACTION, "action." + language.key() + " must hold non-empty statements");
            return Optional.empty();
        }
        hookPoint.ifPresent(h -> statements.forEach(s -> checkPlaceholders(language, s, h)));
        return Optional.of(new ActionSpec.Statements(language, statements, pipeline));
    }

    private void checkPlaceholders(Language language, String statement, HookPoint hookPoint) {
        for (StatementTemplate.Occurrence occurrence : StatementTemplate.scan(statement)) {
            String name = "${" + occurrence.name() + "}";
            Optional<Placeholder> placeholder = Placeholder.fromToken(occurrence.name());
            if (placeholder.isEmpty()) {
                error(Category.TEMPLATE, "unknown placeholder " + name + " in '" + statement + "'; available at "
                        + hookPoint + ": " + available(language, hookPoint));
            } else if (placeholder.get() == Placeholder.MESSAGE && language != Language.COMMANDS) {
                error(Category.TEMPLATE, "${message} exists only in Redis commands");
            } else if (!hookPoint.placeholders().contains(placeholder.get())) {
                error(Category.TEMPLATE, name + " has no value at " + hookPoint + "; available: "
                        + available(language, hookPoint));
            }
            // Redis commands are split on spaces, so quotes there are literal text, not SQL string delimiters.
            if (occurrence.quoted() && language != Language.COMMANDS) {
                error(Category.TEMPLATE, "write " + name + " unquoted: it is bound as a parameter");
            }
        }
    }

    private static String available(Language language, HookPoint hookPoint) {
        return hookPoint.placeholders().stream()
                .filter(p -> p != Placeholder.MESSAGE || language == Language.COMMANDS)
                .map(p -> "${" + p.token() + "}")
                .collect(Collectors.joining(", "));
    }

    private Optional<String> pool(JsonNode node, Predicate<String> poolExists) {
        if (node == null || !node.isTextual() || node.asText().isEmpty()) {
            error("pool must name a pool, e.g. \"pool\": \"pool1\"");
            return Optional.empty();
        }
        String pool = node.asText();
        if (!poolExists.test(pool)) {
            error(Category.POOL_REFERENCE, "hook names pool '" + pool + "' but no backend." + kind.poolPrefix() + "."
                    + pool + ".* is configured");
        }
        return Optional.of(pool);
    }

    private OfflineOpts offlineOpts(JsonNode node, Optional<ActionSpec> action) {
        if (node == null || !accepts(HookOption.OFFLINE_OPTS, action)) {
            return OfflineOpts.NONE;
        }
        if (!node.isObject()) {
            error("offline_opts must be a JSON object like {\"max_returned_count\": 500, \"time_range\": \"2h\"}");
            return OfflineOpts.NONE;
        }
        // Other keys inside offline_opts are ignored, as EMQX's parse_offline_opts did (EMQX 4.4's conf grammar,
        // docs/configuration.md).
        OptionalInt maxReturned = OptionalInt.empty();
        JsonNode count = node.get("max_returned_count");
        if (count != null) {
            if (count.isIntegralNumber() && count.canConvertToInt() && count.intValue() > 0) {
                maxReturned = OptionalInt.of(count.intValue());
            } else {
                error("offline_opts.max_returned_count must be a positive integer, not " + count);
            }
        }
        Optional<Duration> timeRange = Optional.empty();
        JsonNode range = node.get("time_range");
        if (range != null) {
            timeRange = range.isTextual() ? parseDuration(range.asText()) : Optional.empty();
            if (timeRange.isEmpty()) {
                error("offline_opts.time_range must be a duration like \"2h\", \"30m\", \"7d\" or \"45s\", not "
                        + range);
            }
        }
        return new OfflineOpts(maxReturned, timeRange);
    }

    /**
     * EMQX durations: digits and a unit of d, h, m or s, possibly several ("1h30m"). Empty for anything else, and for
     * zero, a window no message fits in.
     */
    static Optional<Duration> parseDuration(String text) {
        if (!DURATION.matcher(text).matches()) {
            return Optional.empty();
        }
        Duration total = Duration.ZERO;
        Matcher part = DURATION_PART.matcher(text);
        while (part.find()) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "d" -> Duration.ofDays(amount);
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofSeconds(amount);
            });
        }
        return total.isZero() ? Optional.empty() : Optional.of(total);
    }

    private OptionalInt expiredTime(JsonNode node) {
        if (node == null || !accepts(HookOption.EXPIRED_TIME, Optional.empty())) {
            return OptionalInt.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            error("expired_time must be an integer number of seconds, not " + node);
            return OptionalInt.empty();
        }
        // EMQX replaced a non-positive TTL by its default rather than storing keys that expire at once.
        return OptionalInt.of(node.intValue() > 0 ? node.intValue() : DEFAULT_EXPIRED_TIME);
    }

    private Optional<PayloadFormat> payloadFormat(JsonNode node, Optional<ActionSpec> action) {
        if (node == null || !accepts(HookOption.PAYLOAD_FORMAT, action)) {
            return Optional.empty();
        }
        Optional<PayloadFormat> format = Arrays.stream(PayloadFormat.values())
                .filter(f -> node.isTextual() && f.confName().equals(node.asText())).findFirst();
        if (format.isEmpty()) {
            error("payload_format must be \"mongo_json\" or \"plain_text\", not " + node);
        }
        return format;
    }

    /**
     * Whether this database's hooks take the option, and with this action; an error saying where it applies when
     * not. A hook whose action did not parse is checked against the database only.
     */
    private boolean accepts(HookOption option, Optional<ActionSpec> action) {
        if (!profile.hookOptions().contains(option)) {
            error(Category.OPTION, option.key() + " applies only to " + DatabaseProfile.kindsAccepting(option).stream()
                    .map(DatabaseKind::toString).collect(Collectors.joining(", ")) + " hooks");
            return false;
        }
        Set<String> functions = option.functions();
        boolean fits = functions.isEmpty() || action.isEmpty()
                || action.get() instanceof ActionSpec.Function f && functions.contains(f.name());
        if (!fits) {
            error(Category.OPTION, option.key() + " applies only to " + (functions.size() == 1 ? "function "
                    : "functions ") + String.join(", ", functions.stream().sorted().toList()));
        }
        return true;
    }

    private String actionHint() {
        return "{\"function\": ...}" + profile.statementLanguage().map(l -> " or {\"" + l.key() + "\": [...]}")
                .orElse(" (only functions exist for " + profile.title() + ")");
    }

    private static boolean allTextual(JsonNode array) {
        for (JsonNode element : array) {
            if (!element.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private void error(String message) {
        error(Category.INVALID, message);
    }

    private void error(Category category, String message) {
        errors.add(new ConfigError(location, message, category));
    }
}
