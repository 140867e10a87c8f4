package io.mqttbackends.runtime.backend.cassandra;

import com.datastax.oss.driver.api.core.cql.ColumnDefinition;
import com.datastax.oss.driver.api.core.cql.ColumnDefinitions;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Converts a statement's values to the types of the columns its markers stand for, as the prepared statement reports
 * them: a placeholder has one value whatever the table says (the payload is bytes, the qos a number), and EMQX's
 * tables differ between its documents ({@code payload blob} in the English DDL, {@code text} in the Chinese one).
 */
final class CqlValues {
    /** {@code ${timestamp_str}}: the runtime's local time, as EMQX 4.x printed it. */
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private CqlValues() {
    }

    /**
     * The values converted for binding.
     *
     * @throws IllegalArgumentException naming the marker and its column type when a value cannot be converted (the
     *                                  same value fails every time: a permanent failure of that write)
     */
    static Object[] convert(List<Object> values, ColumnDefinitions markers) {
        if (values.size() != markers.size()) {
            throw new IllegalArgumentException("the statement has " + markers.size() + " markers for "
                    + values.size() + " values");
        }
        List<Object> converted = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            ColumnDefinition marker = markers.get(i);
            try {
                converted.add(convert(values.get(i), marker.getType()));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("value " + (i + 1) + " cannot be bound to " + marker.getName()
                        .asCql(true) + " (" + marker.getType().asCql(false, true) + "): " + e.getMessage(), e);
            }
        }
        return converted.toArray();
    }

    static Object convert(Object value, DataType type) {
        if (value == null) {
            return null;
        }
        if (type.equals(DataTypes.TEXT) || type.equals(DataTypes.ASCII)) {
            return value instanceof byte[] bytes ? utf8(bytes) : text(value);
        }
        if (type.equals(DataTypes.BLOB)) {
            return ByteBuffer.wrap(value instanceof byte[] bytes ? bytes
                    : text(value).getBytes(StandardCharsets.UTF_8));
        }
        if (type.equals(DataTypes.INT)) {
            return Math.toIntExact(integer(value));
        }
        if (type.equals(DataTypes.BIGINT) || type.equals(DataTypes.COUNTER)) {
            return integer(value);
        }
        if (type.equals(DataTypes.SMALLINT)) {
            return (short) Math.toIntExact(integer(value));
        }
        if (type.equals(DataTypes.TINYINT)) {
            return (byte) Math.toIntExact(integer(value));
        }
        if (type.equals(DataTypes.BOOLEAN)) {
            return value instanceof Boolean b ? b : integer(value) != 0;
        }
        if (type.equals(DataTypes.TIMESTAMP)) {
            return instant(value);
        }
        if (type.equals(DataTypes.DOUBLE)) {
            return decimal(value).doubleValue();
        }
        if (type.equals(DataTypes.FLOAT)) {
            return decimal(value).floatValue();
        }
        if (type.equals(DataTypes.DECIMAL)) {
            return decimal(value);
        }
        if (type.equals(DataTypes.VARINT)) {
            return BigInteger.valueOf(integer(value));
        }
        if (type.equals(DataTypes.UUID) || type.equals(DataTypes.TIMEUUID)) {
            return value instanceof UUID u ? u : UUID.fromString(text(value));
        }
        throw new IllegalArgumentException("no placeholder value converts to that type");
    }

    /**
     * Bytes as text, refused when they are not UTF-8: replacing them would store something else than was published
     * (a blob column keeps any payload).
     */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the bytes are not UTF-8 text (a blob column takes any payload)");
        }
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? utf8(bytes) : String.valueOf(value);
    }

    private static long integer(Object value) {
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        return Long.parseLong(text(value).trim());
    }

    private static BigDecimal decimal(Object value) {
        return value instanceof Number n ? new BigDecimal(n.toString()) : new BigDecimal(text(value).trim());
    }

    /** An instant as given, epoch seconds as {@code ${timestamp}} gives them, or ISO / EMQX local date text. */
    private static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof Number n) {
            return Instant.ofEpochSecond(n.longValue());
        }
        String text = text(value).trim();
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(text, LOCAL).atZone(ZoneId.systemDefault()).toInstant();
        }
    }
}
