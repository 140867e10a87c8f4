package io.mqttbackends.model.conf;

import io.mqttbackends.model.DatabaseKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One named connection pool, e.g. {@code backend.pgsql.pool1.*}.
 *
 * @param kind      the database kind
 * @param name      the pool name ({@code pool1})
 * @param settings  every key of that database's pool schema, defaults applied, values as written (trimmed)
 * @param locations where each explicitly written key came from; keys left at their default are absent
 * @param location  where the pool was first mentioned
 * @param hidden    the keys whose value no message may show ({@link Redaction}): secret keys, and values read
 *                  through a reference
 */
public record PoolConfig(DatabaseKind kind, String name, Map<String, String> settings,
        Map<String, ConfigLocation> locations, ConfigLocation location, Set<String> hidden) {

    public PoolConfig {
        settings = Map.copyOf(settings);
        locations = Map.copyOf(locations);
        hidden = Set.copyOf(hidden);
    }

    /** A pool whose hidden keys are its secret keys (no value was read through a reference). */
    public PoolConfig(DatabaseKind kind, String name, Map<String, String> settings,
            Map<String, ConfigLocation> locations, ConfigLocation location) {
        this(kind, name, settings, locations, location,
                settings.keySet().stream().filter(Redaction::isSecretKey).collect(Collectors.toSet()));
    }

    /** The value of a key of this database's pool schema (a key outside the schema is a programming error). */
    public String get(String key) {
        String value = settings.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no key '" + key + "' in the " + kind + " pool schema");
        }
        return value;
    }

    public Optional<String> optional(String key) {
        return Optional.ofNullable(settings.get(key)).filter(v -> !v.isEmpty());
    }

    /** Where a key was written, or the pool's own location when it was left at its default. */
    public ConfigLocation locationOf(String key) {
        return locations.getOrDefault(key, location);
    }

    /** A key's value quoted for a message, or {@link Redaction#HIDDEN} when it is one of the {@link #hidden} keys. */
    public String shown(String key) {
        return hidden.contains(key) ? Redaction.HIDDEN : "'" + get(key) + "'";
    }

    public int intValue(String key) {
        String v = get(key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(locationOf(key), shown(key) + " is not an integer");
        }
    }

    /**
     * The value of a duration key ({@code 30m}, {@code 7d}, {@code 1h30m}; validated at load), or empty when the key
     * is not set.
     */
    public Optional<Duration> duration(String key) {
        return optional(key).map(v -> HookParser.parseDuration(v).orElseThrow(() -> new ConfigException(
                locationOf(key), shown(key) + " is not a duration like 30m, 7d or 1h30m")));
    }

    /** EMQX booleans: {@code true/false}, {@code on/off}, {@code 1/0}. */
    public boolean boolValue(String key) {
        String v = get(key).toLowerCase();
        return switch (v) {
            case "true", "on", "1", "yes" -> true;
            case "false", "off", "0", "no", "" -> false;
            default -> throw new ConfigException(locationOf(key), shown(key) + " is not a boolean (true/false, on/off)");
        };
    }

    /**
     * The {@code host[:port]} entries of a server-list key ({@code server}, {@code nodes}), comma-separated, with
     * {@code defaultPort} where none is written. Validated at load, so every entry parses here.
     */
    public List<HostPort> servers(String key, int defaultPort) {
        return Arrays.stream(get(key).split(","))
                .map(entry -> HostPort.parse(entry, defaultPort).orElseThrow(() -> new ConfigException(
                        locationOf(key), (hidden.contains(key) ? "an entry " + Redaction.HIDDEN : "'" + entry.trim()
                                + "'") + " is not host[:port] with a port from 1 to 65535")))
                .toList();
    }

    /**
     * The path of a TLS file key, checked readable at load so that a typo is a configuration error rather than
     * endless failed connects; empty when the key is not set.
     */
    public Optional<String> readableFile(String key) {
        Optional<String> path = optional(key);
        path.filter(p -> !Files.isReadable(Path.of(p))).ifPresent(p -> {
            throw new ConfigException(locationOf(key), "cannot read " + key + " " + shown(key));
        });
        return path;
    }

    /** A PEM client certificate and its key ({@code certfile}, {@code keyfile}). */
    public record ClientCertificate(String certfile, String keyfile) {
    }

    /** The {@code certfile}/{@code keyfile} pair, both readable, or empty when neither is set. */
    public Optional<ClientCertificate> clientCertificate() {
        Optional<String> cert = readableFile("certfile");
        Optional<String> key = readableFile("keyfile");
        if (cert.isPresent() != key.isPresent()) {
            String missing = cert.isPresent() ? "keyfile" : "certfile";
            throw new ConfigException(locationOf(missing),
                    "a client certificate needs both certfile and keyfile; " + missing + " is missing");
        }
        return cert.map(c -> new ClientCertificate(c, key.orElseThrow()));
    }

    /** The number of connections the pool may open, under its database's own key name. */
    public int poolSize() {
        return intValue(DatabaseProfile.of(kind).poolSizeKey());
    }

    /** {@code kind.name}, e.g. {@code pgsql.pool1}: how logs and metrics name the pool. */
    public String qualifiedName() {
        return kind + "." + name;
    }

    /** Names the pool and where it is written; never its settings, which hold its password. */
    @Override
    public String toString() {
        return "PoolConfig[" + qualifiedName() + " at " + location + "]";
    }
}
