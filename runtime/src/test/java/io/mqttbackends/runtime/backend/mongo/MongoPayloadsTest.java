package io.mqttbackends.runtime.backend.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.conf.PayloadFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MongoPayloadsTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plainTextStoresUtf8AsAStringAndOtherBytesAsBinaryBothByteExactOnReplay() {
        byte[] binary = {(byte) 0xff, 0, (byte) 0xc3, 0x28};

        assertThat(MongoPayloads.store(utf8("héllo \"q\""), PayloadFormat.PLAIN_TEXT)).isEqualTo("héllo \"q\"");
        assertThat(MongoPayloads.store(binary, PayloadFormat.PLAIN_TEXT)).isEqualTo(new Binary(binary));
        assertThat(MongoPayloads.replay(MongoPayloads.store(binary, PayloadFormat.PLAIN_TEXT))).isEqualTo(binary);
        assertThat(MongoPayloads.replay(null)).isEmpty();
    }

    @Test
    void mongoJsonEmbedsAnObjectWithItsTypesAndNestingInKeyOrder() {
        Object stored = MongoPayloads.store(utf8("{\"b\": {\"c\": [1, 2.5, true, null, \"x\"]}, \"a\": 12345678901}"),
                PayloadFormat.MONGO_JSON);

        assertThat(stored).isInstanceOfSatisfying(Document.class, d -> {
            assertThat(d.keySet()).containsExactly("b", "a");
            assertThat(d.get("a")).isEqualTo(12345678901L);
            assertThat(d.get("b", Document.class).getList("c", Object.class))
                    .containsExactly(1, 2.5, true, null, "x");
        });
        assertThat(new String(MongoPayloads.replay(stored), StandardCharsets.UTF_8))
                .isEqualTo("{\"b\":{\"c\":[1,2.5,true,null,\"x\"]},\"a\":12345678901}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[1, 2]", "42", "\"text\"", "{\"$set\": {\"a\": 1}}", "{\"a.b\": 1}",
            "{\"a\": {\"$where\": \"sleep(1000)\"}}", "{\"a\": 1} trailing", "{\"a\": 1, \"a\": 2}", "{\"a\":"})
    void mongoJsonKeepsWhatIsNotAPlainObjectAsTextByteExact(String payload) {
        Object stored = MongoPayloads.store(utf8(payload), PayloadFormat.MONGO_JSON);

        assertThat(stored).isEqualTo(payload);
        assertThat(MongoPayloads.replay(stored)).isEqualTo(utf8(payload));
    }

    @Test
    void mongoJsonKeepsNumbersBeyondLongAsDecimalsAndReplaysThemAsNumbers() {
        Object stored = MongoPayloads.store(utf8("{\"big\": 123456789012345678901234567890}"),
                PayloadFormat.MONGO_JSON);

        assertThat(((Document) stored).get("big")).isEqualTo(Decimal128.parse("123456789012345678901234567890"));
        assertThat(new String(MongoPayloads.replay(stored), StandardCharsets.UTF_8))
                .isEqualTo("{\"big\":123456789012345678901234567890}");
    }

    @Test
    void anEmbeddedDocumentReplaysAsCompactJsonWhoseBytesMayDifferFromThePublishedOnes() {
        byte[] published = utf8("{ \"t\" : 1.50 , \"s\": \"a, b: c\" }");

        byte[] replayed = MongoPayloads.replay(MongoPayloads.store(published, PayloadFormat.MONGO_JSON));

        assertThat(new String(replayed, StandardCharsets.UTF_8)).isEqualTo("{\"t\":1.5,\"s\":\"a, b: c\"}");
    }

    @Test
    void valuesAnApplicationWroteByHandReplayAsTheirJsonText() {
        assertThat(new String(MongoPayloads.replay(List.of(1, "a")), StandardCharsets.UTF_8)).isEqualTo("[1,\"a\"]");
        assertThat(new String(MongoPayloads.replay(7), StandardCharsets.UTF_8)).isEqualTo("7");
    }
}
