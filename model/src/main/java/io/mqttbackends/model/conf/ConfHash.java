package io.mqttbackends.model.conf;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The identity of a set of conf files, shared with the operator: the runtime reports the hash of the configuration
 * it runs, the operator computes the same over what it rendered, and {@code Applied} turns true when they match.
 *
 * <p>SHA-256, lowercase hex, over the files ordered by name (then by content, for equal names in different
 * directories; both compared as unsigned bytes, names in UTF-8), each contributing the UTF-8 bytes of its file name,
 * one {@code 0x00}, its raw bytes, one {@code 0x00}. Directory names do not count, so a file moved between mounted
 * directories keeps the hash.
 */
public final class ConfHash {

    /** One file: its name without directory, and its bytes as read. */
    public record Input(String name, byte[] content) {

        /** A file whose content is {@code text} in UTF-8. */
        public static Input utf8(String name, String text) {
            return new Input(name, text.getBytes(StandardCharsets.UTF_8));
        }

        private byte[] nameBytes() {
            return name.getBytes(StandardCharsets.UTF_8);
        }
    }

    private static final Comparator<Input> ORDER = Comparator
            .comparing(Input::nameBytes, Arrays::compareUnsigned)
            .thenComparing(Input::content, Arrays::compareUnsigned);

    private ConfHash() {
    }

    /** The hash of these files, in any order. */
    public static String of(Collection<Input> files) {
        MessageDigest digest = sha256();
        List<Input> ordered = files.stream().sorted(ORDER).toList();
        for (Input file : ordered) {
            digest.update(file.nameBytes());
            digest.update((byte) 0);
            digest.update(file.content());
            digest.update((byte) 0);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
