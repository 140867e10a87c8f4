package io.mqttbackends.runtime.ingest;

import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.Message;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Which event messages the runtime believes, by the optional shared token ({@code mqttbackends.ingest.token} or
 * {@code token-file}).
 *
 * <p><b>The token.</b> With a token set, an {@code emqx-rule} publish must carry it as the MQTT 5 user property
 * {@value #TOKEN_PROPERTY} (the EMQX 5 republish action sets it, see docs/security.md); a publish without it or with
 * another value is refused. Compared in constant time. {@code emqx-sys} notifications come from the broker itself,
 * which adds no user property (clients must not be allowed to publish on {@code $SYS}), and {@code raw} publishes
 * come from the devices, which must not hold a secret shared by every device: neither is checked.
 *
 * <p><b>The origin.</b> Without a token, any publish carrying {@code mqttbackends-origin} counts as the runtime's
 * own and is not stored: a device can keep its messages out of the database that way. With a token, the runtime signs
 * what it publishes with {@value #ORIGIN_MAC_PROPERTY}, an HMAC-SHA256 keyed by the token over the topic, the
 * {@code mqttbackends-msgid} property and the payload; a publish whose origin does not verify is an ordinary message:
 * its {@code mqttbackends-*} properties are dropped (so a forged msgid cannot move an offline cursor either) and it is
 * stored. A device that receives a replay and publishes it again unchanged only repeats a message already stored.
 */
final class EventTrust {
    /** The user property carrying the shared token on {@code emqx-rule} event publishes. */
    static final String TOKEN_PROPERTY = "mqttbackends-token";
    /** The user property carrying the origin signature on what the runtime publishes. */
    static final String ORIGIN_MAC_PROPERTY = "mqttbackends-origin-mac";
    /** Properties only the runtime may set; dropped from a message whose origin does not verify. */
    private static final Set<String> RESERVED = Set.of(Message.ORIGIN_PROPERTY, Message.MSGID_PROPERTY,
            Message.RETAINED_PROPERTY, ORIGIN_MAC_PROPERTY);
    /** Shorter tokens are refused at start: the token is the only thing between a forged event and the database. */
    static final int MIN_TOKEN_LENGTH = 16;
    private static final String HMAC = "HmacSHA256";

    /** Trusts every event and every origin property, as before tokens existed. */
    static final EventTrust NONE = new EventTrust(null, null);

    private final byte[] tokenDigest;
    private final SecretKeySpec originKey;

    private EventTrust(byte[] tokenDigest, SecretKeySpec originKey) {
        this.tokenDigest = tokenDigest;
        this.originKey = originKey;
    }

    /** Reads the token from the settings; fails naming the setting (never the value) when it is unusable. */
    static EventTrust from(RuntimeConfig.Ingest ingest) {
        Optional<String> token = ingest.token().filter(t -> !t.isEmpty());
        if (token.isPresent() && ingest.tokenFile().isPresent()) {
            throw new IllegalStateException("set mqttbackends.ingest.token or mqttbackends.ingest.token-file, not "
                    + "both");
        }
        String setting = token.isPresent() ? "mqttbackends.ingest.token" : "mqttbackends.ingest.token-file";
        Optional<String> value = token.or(() -> ingest.tokenFile().map(EventTrust::read));
        if (value.isEmpty()) {
            return NONE;
        }
        if (value.get().length() < MIN_TOKEN_LENGTH) {
            throw new IllegalStateException(setting + " must be at least " + MIN_TOKEN_LENGTH + " characters long");
        }
        byte[] secret = value.get().getBytes(StandardCharsets.UTF_8);
        // A key of its own for signing origins, so that a signature never equals anything derived for the token.
        byte[] originKey = hmac(new SecretKeySpec(secret, HMAC), "mqttbackends origin signature key"
                .getBytes(StandardCharsets.UTF_8));
        return new EventTrust(sha256(secret), new SecretKeySpec(originKey, HMAC));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new IllegalStateException("mqttbackends.ingest.token-file " + file + " cannot be read: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /** Whether {@code emqx-rule} publishes must carry the token. */
    boolean requiresToken() {
        return tokenDigest != null;
    }

    /**
     * Why a publish's properties fail the token check: {@code missing-token} or {@code wrong-token}; empty when it
     * passes or no token is set.
     */
    Optional<String> tokenProblem(Map<String, String> userProperties) {
        if (tokenDigest == null) {
            return Optional.empty();
        }
        String given = userProperties.get(TOKEN_PROPERTY);
        if (given == null) {
            return Optional.of("missing-token");
        }
        // Digests have one length whatever was sent, so the comparison time says nothing about the token.
        return MessageDigest.isEqual(tokenDigest, sha256(given.getBytes(StandardCharsets.UTF_8))) ? Optional.empty()
                : Optional.of("wrong-token");
    }

    /** The properties that sign a publish of the runtime's own (none without a token). */
    Map<String, String> originSignature(String topic, Map<String, String> userProperties, byte[] payload) {
        if (originKey == null) {
            return Map.of();
        }
        return Map.of(ORIGIN_MAC_PROPERTY, signature(topic, userProperties.getOrDefault(Message.MSGID_PROPERTY, ""),
                payload));
    }

    /**
     * A received message's user properties as the runtime may believe them: unchanged without a token, or when the
     * origin signature verifies; without the runtime's reserved properties otherwise.
     */
    Map<String, String> believedProperties(String topic, Map<String, String> userProperties, byte[] payload) {
        if (originKey == null || RESERVED.stream().noneMatch(userProperties::containsKey)) {
            return userProperties;
        }
        String mac = userProperties.get(ORIGIN_MAC_PROPERTY);
        if (mac != null && userProperties.containsKey(Message.ORIGIN_PROPERTY) && MessageDigest.isEqual(
                mac.getBytes(StandardCharsets.US_ASCII), signature(topic,
                        userProperties.getOrDefault(Message.MSGID_PROPERTY, ""), payload)
                        .getBytes(StandardCharsets.US_ASCII))) {
            return userProperties;
        }
        Map<String, String> ordinary = new HashMap<>(userProperties);
        ordinary.keySet().removeAll(RESERVED);
        return ordinary;
    }

    /** HMAC over the length-prefixed topic, msgid and payload, so no two different triples sign alike. */
    private String signature(String topic, String msgid, byte[] payload) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        byte[] m = msgid.getBytes(StandardCharsets.UTF_8);
        ByteBuffer input = ByteBuffer.allocate(12 + t.length + m.length + payload.length)
                .putInt(t.length).put(t).putInt(m.length).put(m).putInt(payload.length).put(payload);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(originKey, input.array()));
    }

    private static byte[] hmac(SecretKeySpec key, byte[] input) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
