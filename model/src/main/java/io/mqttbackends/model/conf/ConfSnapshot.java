package io.mqttbackends.model.conf;

import io.mqttbackends.model.conf.ConfigProviders.Reference;
import io.mqttbackends.model.conf.ConfigProviders.Resolution;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code *.conf} files of the conf directories, read once as bytes, and what their {@link ConfigProviders}
 * references resolved to at that moment: what a load parses and what {@link ConfHash} identifies, so the hash the
 * runtime reports is always the hash of what it parsed, and a load never looks a reference up again.
 *
 * @param files      every conf file read, in load order
 * @param errors     what could not be read (a missing directory, an unreadable file); a load of this snapshot fails
 * @param references every reference the files' pool values make, resolved when the files were read
 */
public record ConfSnapshot(List<File> files, List<ConfigError> errors, Map<Reference, Resolution> references) {

    /** Per process: {@link #version()} covers secret values, so it must not be computable by anyone else. */
    private static final byte[] VERSION_KEY = new byte[32];

    static {
        new SecureRandom().nextBytes(VERSION_KEY);
    }

    public ConfSnapshot {
        files = List.copyOf(files);
        errors = List.copyOf(errors);
        references = Map.copyOf(references);
    }

    /** One conf file as read: the path errors name, and its raw bytes. */
    public record File(Path path, byte[] content) {
    }

    /**
     * The {@link ConfHash} of the files read: what the runtime reports and the operator compares. It covers no
     * referenced value, which it would reveal to anyone able to guess one.
     */
    public String hash() {
        return ConfHash.of(files.stream()
                .map(f -> new ConfHash.Input(f.path().getFileName().toString(), f.content()))
                .toList());
    }

    /**
     * What changes whenever anything a load would read changes: the {@link #hash()} when the files make no reference,
     * else the hash and a keyed digest (HMAC-SHA256 with a key drawn at random per process) of every reference and
     * its resolution. A reloader compares versions, so a changed referenced file or a variable that appeared is
     * loaded; the key keeps the version from revealing those values, yet it is for comparing within one process
     * only and is never shown.
     */
    public String version() {
        if (references.isEmpty()) {
            return hash();
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(VERSION_KEY, "HmacSHA256"));
            Map<String, Resolution> ordered = new TreeMap<>();
            references.forEach((ref, resolution) -> ordered.put(ref.toString(), resolution));
            ordered.forEach((ref, resolution) -> {
                mac.update(ref.getBytes(StandardCharsets.UTF_8));
                mac.update((byte) 0);
                String text = resolution instanceof Resolution.Value v ? "v" + v.text()
                        : "m" + ((Resolution.Missing) resolution).reason();
                mac.update(text.getBytes(StandardCharsets.UTF_8));
                mac.update((byte) 0);
            });
            return hash() + "+" + HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }
}
