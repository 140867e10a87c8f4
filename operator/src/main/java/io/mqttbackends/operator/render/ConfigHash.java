package io.mqttbackends.operator.render;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configuration hash the runtime reports for what it loaded (the contract both sides implement): SHA-256,
 * lowercase hex, over every conf file ordered by file name, each contributing its UTF-8 file name, a 0x00 byte, its
 * bytes and a 0x00 byte. Equal hashes mean the runtime runs exactly what the operator rendered.
 */
public final class ConfigHash {

    private ConfigHash() {
    }

    /** The hash of files given as file name to UTF-8 content. */
    public static String of(Map<String, String> files) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        new TreeMap<>(files).forEach((name, content) -> {
            digest.update(name.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(content.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        });
        return HexFormat.of().formatHex(digest.digest());
    }
}
