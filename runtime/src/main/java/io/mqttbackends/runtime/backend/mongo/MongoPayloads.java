package io.mqttbackends.runtime.backend.mongo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.mqttbackends.model.conf.PayloadFormat;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.BsonBinary;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.bson.types.Binary;
import org.bson.types.Decimal128;

/**
 * How a payload is stored in a document's {@code payload} field and read back for a replay.
 *
 * <p>{@code plain_text} (EMQX's default): a string when the bytes are valid UTF-8, otherwise BSON binary, so that
 * every payload comes back byte-exact. {@code mongo_json}: a JSON object becomes an embedded document whose fields
 * can be queried ({@code payload.temp}). A payload that is not a JSON object, or whose keys MongoDB handles badly
 * (starting with {@code $}, which reads as an operator; containing {@code .}, which reads as a path; containing NUL),
 * is stored as {@code plain_text} would store it: EMQX left that case undefined, and keeping the bytes loses nothing.
 * An embedded document replays as compact JSON: key order kept, whitespace dropped, numbers printed anew
 * ({@code 1.50} becomes {@code 1.5}, {@code 1e3} becomes {@code 1000.0}), so the bytes may differ from the original.
 */
final class MongoPayloads {

    /** Deeper JSON than this is stored as text: BSON nesting has a limit, and a replay must re-serialise it. */
    static final int MAX_DEPTH = 100;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();
    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED)
            .build();

    private MongoPayloads() {
    }

    /** The value of the {@code payload} field for these bytes. */
    static Object store(byte[] payload, PayloadFormat format) {
        if (format == PayloadFormat.MONGO_JSON) {
            Optional<Document> document = document(payload);
            if (document.isPresent()) {
                return document.get();
            }
        }
        return utf8(payload).<Object>map(text -> text).orElseGet(() -> new Binary(payload));
    }

    /** The bytes a stored {@code payload} field replays as; an absent field is an empty payload. */
    static byte[] replay(Object stored) {
        if (stored == null) {
            return new byte[0];
        }
        if (stored instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (stored instanceof Binary binary) {
            return binary.getData();
        }
        if (stored instanceof BsonBinary binary) {
            return binary.getData();
        }
        if (stored instanceof Document || stored instanceof List<?>) {
            return json(stored);
        }
        // Something an application wrote by hand (a number, a date, an id): its JSON text.
        return json(stored);
    }

    /** Compact JSON of a stored value; BSON types JSON lacks print as MongoDB's relaxed extended JSON. */
    private static byte[] json(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            write(generator, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator out, Object value) throws IOException {
        if (value == null) {
            out.writeNull();
        } else if (value instanceof Document document) {
            out.writeStartObject();
            for (Map.Entry<String, Object> field : document.entrySet()) {
                out.writeFieldName(field.getKey());
                write(out, field.getValue());
            }
            out.writeEndObject();
        } else if (value instanceof List<?> list) {
            out.writeStartArray();
            for (Object item : list) {
                write(out, item);
            }
            out.writeEndArray();
        } else if (value instanceof String text) {
            out.writeString(text);
        } else if (value instanceof Boolean bool) {
            out.writeBoolean(bool);
        } else if (value instanceof Integer || value instanceof Long) {
            out.writeNumber(((Number) value).longValue());
        } else if (value instanceof Double number) {
            out.writeNumber(number);
        } else if (value instanceof Decimal128 decimal) {
            out.writeNumber(decimal.bigDecimalValue());
        } else {
            String relaxed = new Document("v", value).toJson(RELAXED);
            // {"v": <value>}: the value's own extended-JSON text, written as it is.
            out.writeRawValue(relaxed.substring(relaxed.indexOf(':') + 2, relaxed.length() - 1));
        }
    }

    private static Optional<String> utf8(byte[] payload) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** The payload as a document: empty unless it is exactly one JSON object with acceptable keys. */
    static Optional<Document> document(byte[] payload) {
        try (JsonParser parser = JSON.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            Optional<Document> document = object(parser);
            return parser.nextToken() == null ? document : Optional.empty();
        } catch (IOException | RuntimeException e) {
            // Not JSON, duplicate keys, too deep: stored as text instead, byte-exact.
            return Optional.empty();
        }
    }

    private static Optional<Document> object(JsonParser parser) throws IOException {
        Document document = new Document();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
            String key = parser.currentName();
            if (!acceptedKey(key)) {
                return Optional.empty();
            }
            parser.nextToken();
            Optional<Object> value = value(parser);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            document.append(key, value.get() == NULL ? null : value.get());
        }
        return Optional.of(document);
    }

    /** Stands for JSON null, since an empty optional means "refused". */
    private static final Object NULL = new Object();

    private static Optional<Object> value(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case START_OBJECT -> object(parser).map(d -> d);
            case START_ARRAY -> array(parser);
            case VALUE_STRING -> Optional.of(parser.getText());
            case VALUE_TRUE -> Optional.of(Boolean.TRUE);
            case VALUE_FALSE -> Optional.of(Boolean.FALSE);
            case VALUE_NULL -> Optional.of(NULL);
            case VALUE_NUMBER_INT -> Optional.of(integer(parser));
            case VALUE_NUMBER_FLOAT -> Optional.of(decimal(parser));
            default -> Optional.empty();
        };
    }

    private static Optional<Object> array(JsonParser parser) throws IOException {
        List<Object> values = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            Optional<Object> value = value(parser);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            values.add(value.get() == NULL ? null : value.get());
        }
        return Optional.of(values);
    }

    /** An int or long where it fits, else a decimal: BSON has no larger integer. */
    private static Object integer(JsonParser parser) throws IOException {
        return switch (parser.getNumberType()) {
            case INT -> parser.getIntValue();
            case LONG -> parser.getLongValue();
            default -> new Decimal128(new BigDecimal(parser.getBigIntegerValue()));
        };
    }

    /** A double where it is exact enough for JSON's usual numbers; Decimal128 keeps what a double cannot. */
    private static Object decimal(JsonParser parser) throws IOException {
        double value = parser.getDoubleValue();
        return Double.isFinite(value) ? value : new Decimal128(parser.getDecimalValue());
    }

    /** MongoDB reads a leading {@code $} as an operator and a {@code .} as a path; a NUL ends a BSON key. */
    private static boolean acceptedKey(String key) {
        return !key.startsWith("$") && key.indexOf('.') < 0 && key.indexOf('\0') < 0;
    }

}
