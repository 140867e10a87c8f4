package io.mqttbackends.runtime.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Field access shared by the JSON decoders. Problems surface as {@link BadInput}, which {@link #guard} turns into a
 * {@link DecodeResult.Malformed}; that keeps the decoders linear instead of threading error values through every call.
 * Values are read leniently where EMQX templates may differ (numbers or numeric strings, booleans or 0/1).
 */
final class JsonFields {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonFields() {
    }

    /** A decoding problem; stackless because it is control flow, not a bug. */
    static final class BadInput extends RuntimeException {
        final String kind;

        BadInput(String kind, String detail) {
            super(detail, null, false, false);
            this.kind = kind;
        }
    }

    /** Runs a decoding step and maps every failure to {@link DecodeResult.Malformed}, so no decoder ever throws. */
    static DecodeResult guard(Supplier<DecodeResult> decoding) {
        try {
            return decoding.get();
        } catch (BadInput e) {
            return new DecodeResult.Malformed(e.kind, e.getMessage());
        } catch (RuntimeException e) {
            return new DecodeResult.Malformed("internal", e.toString());
        }
    }

    static ObjectNode parseObject(byte[] payload) {
        JsonNode node;
        try {
            node = MAPPER.readTree(payload);
        } catch (java.io.IOException e) {
            throw new BadInput("not-json", e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage()
                    : e.getMessage());
        }
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw new BadInput("not-json", "expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
    }

    static String requiredText(JsonNode json, String field) {
        return optionalText(json, field).orElseThrow(() -> new BadInput("missing-field", field));
    }

    /**
     * A string field; absent, {@code null}, empty and EMQX's {@code "undefined"} (how Erlang's undefined atom is
     * rendered) all mean "not given".
     */
    static Optional<String> optionalText(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isContainerNode()) {
            throw new BadInput("bad-field", field + " must be a string, got " + node.getNodeType());
        }
        String text = node.asText();
        return text.isEmpty() || text.equals("undefined") ? Optional.empty() : Optional.of(text);
    }

    static OptionalLong optionalLong(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return OptionalLong.empty();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return OptionalLong.of(node.asLong());
        }
        if (node.isTextual()) {
            try {
                return OptionalLong.of(Long.parseLong(node.asText().trim()));
            } catch (NumberFormatException e) {
                // reported below with the offending value
            }
        }
        throw new BadInput("bad-field", field + " must be an integer, got " + node);
    }

    /** The first of {@code fields} present, else {@code fallback}. */
    static long firstLong(JsonNode json, long fallback, String... fields) {
        for (String field : fields) {
            OptionalLong value = optionalLong(json, field);
            if (value.isPresent()) {
                return value.getAsLong();
            }
        }
        return fallback;
    }

    static int qos(JsonNode json, String field, Optional<Integer> fallback) {
        OptionalLong value = optionalLong(json, field);
        if (value.isEmpty()) {
            return fallback.orElseThrow(() -> new BadInput("missing-field", field));
        }
        long qos = value.getAsLong();
        if (qos < 0 || qos > 2) {
            throw new BadInput("bad-field", field + " must be 0, 1 or 2, got " + qos);
        }
        return (int) qos;
    }

    static boolean optionalBoolean(JsonNode json, String field, boolean fallback) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        String text = node.asText();
        if (text.equals("true") || text.equals("1")) {
            return true;
        }
        if (text.equals("false") || text.equals("0")) {
            return false;
        }
        throw new BadInput("bad-field", field + " must be a boolean, got " + node);
    }

    /** A nested object, or an empty one when absent. */
    static JsonNode object(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return MAPPER.createObjectNode();
        }
        if (!node.isObject()) {
            throw new BadInput("bad-field", field + " must be an object, got " + node.getNodeType());
        }
        return node;
    }

    /** A JSON object of string values, e.g. EMQX's {@code pub_props."User-Property"}. */
    static Map<String, String> stringMap(JsonNode json, String field) {
        Map<String, String> map = new HashMap<>();
        object(json, field).fields().forEachRemaining(e -> map.put(e.getKey(),
                e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
        return map;
    }

    /**
     * The {@code payload} field as bytes: UTF-8 of the string, or base64-decoded when {@code payload_encoding} is
     * {@code base64}. A JSON rule can only carry text, so binary payloads need {@code base64_encode(payload)} in the
     * rule (the sample rule does this).
     */
    static byte[] payload(JsonNode json) {
        JsonNode node = json.get("payload");
        if (node == null || node.isNull()) {
            return new byte[0];
        }
        // A rule that selected a decoded payload (payload.x) yields JSON, not a string: keep its text form.
        String text = node.isTextual() ? node.asText() : node.toString();
        if (optionalText(json, "payload_encoding").filter("base64"::equalsIgnoreCase).isPresent()) {
            try {
                return Base64.getDecoder().decode(text.strip());
            } catch (IllegalArgumentException e) {
                throw new BadInput("bad-field", "payload is not base64: " + e.getMessage());
            }
        }
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The IP of an EMQX {@code peername} ({@code 1.2.3.4:5}, {@code [::1]:5}, or a bare address). */
    static String hostOf(String peername) {
        if (peername.startsWith("[")) {
            int close = peername.indexOf(']');
            return close < 0 ? peername.substring(1) : peername.substring(1, close);
        }
        int colon = peername.lastIndexOf(':');
        // More than one colon without brackets is a bare IPv6 address, which has no port to strip.
        return colon < 0 || peername.indexOf(':') != colon ? peername : peername.substring(0, colon);
    }
}
