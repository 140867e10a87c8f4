package io.mqttbackends.runtime.backend.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoCredential;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteConcernException;
import com.mongodb.MongoWriteException;
import com.mongodb.ServerAddress;
import com.mongodb.WriteError;
import com.mongodb.bulk.WriteConcernError;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.backend.BackendPool;
import io.mqttbackends.runtime.backend.FailureClass;
import io.mqttbackends.runtime.testing.PoolRuns;
import io.mqttbackends.runtime.testing.TestPools;
import io.vertx.mutiny.core.Vertx;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonMaximumSizeExceededException;
import org.bson.BsonString;
import org.bson.codecs.configuration.CodecConfigurationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The failure classes of {@code /work/mongo-contract.md} for the driver's exceptions and the server's codes that no
 * test server here can produce on demand (authentication, replica-set elections, write concern timeouts). A pool
 * opened without a server: classifying needs none.
 */
class MongoFailureClassesTest {
    private static final ServerAddress SERVER = new ServerAddress("db.example", 27017);

    private Vertx vertx;
    private BackendPool<?> pool;

    @BeforeEach
    void open() {
        vertx = Vertx.vertx();
        pool = new MongoBackend(vertx).open(TestPools.pool1(DatabaseKind.MONGO, Map.of(), Map.of()),
                PoolRuns.context());
    }

    @AfterEach
    void close() {
        pool.close().await().atMost(Duration.ofSeconds(10));
        vertx.closeAndAwait();
    }

    private static MongoCommandException command(int code, String name) {
        return new MongoCommandException(new BsonDocument("ok", new BsonInt32(0)).append("code", new BsonInt32(code))
                .append("codeName", new BsonString(name)).append("errmsg", new BsonString(name)), SERVER);
    }

    private static MongoWriteException write(int code, String message) {
        return new MongoWriteException(new WriteError(code, message, new BsonDocument()), SERVER, List.of());
    }

    private void assertClasses(FailureClass expected, Map<String, Throwable> failures) {
        failures.forEach((what, failure) -> {
            assertThat(pool.classify(failure)).as("%s: %s", what, failure).isEqualTo(expected);
            assertThat(pool.classify(new CompletionException(failure))).as("%s, wrapped", what).isEqualTo(expected);
        });
    }

    @Test
    void noReplyNoPrimaryAndRefusedCredentialsAreUnavailable() {
        Map<String, Throwable> failures = new LinkedHashMap<>();
        failures.put("server selection timed out", new MongoTimeoutException("Timed out while waiting for a server"));
        failures.put("connection refused", new MongoSocketOpenException("Exception opening socket", SERVER,
                new ConnectException("Connection refused")));
        failures.put("read timed out", new MongoSocketReadTimeoutException("Timeout while receiving message", SERVER,
                new IOException("timeout")));
        failures.put("authentication", new MongoSecurityException(MongoCredential.createCredential("emqx", "admin",
                "wrong".toCharArray()), "Exception authenticating"));
        failures.put("AuthenticationFailed 18", command(18, "AuthenticationFailed"));
        failures.put("Unauthorized 13", command(13, "Unauthorized"));
        failures.put("not primary", new MongoNotPrimaryException(new BsonDocument("ok", new BsonInt32(0))
                .append("code", new BsonInt32(10107)).append("errmsg", new BsonString("not primary")), SERVER));
        failures.put("recovering", new MongoNodeIsRecoveringException(new BsonDocument("ok", new BsonInt32(0))
                .append("code", new BsonInt32(11600)).append("errmsg", new BsonString("interrupted at shutdown")),
                SERVER));
        failures.put("ShutdownInProgress 91", command(91, "ShutdownInProgress"));
        assertClasses(FailureClass.UNAVAILABLE, failures);
    }

    @Test
    void writeConcernErrorsConflictsTimeLimitsAndRacingUpsertsAreTransient() {
        Map<String, Throwable> failures = new LinkedHashMap<>();
        failures.put("write concern", new MongoWriteConcernException(new WriteConcernError(64,
                "WriteConcernFailed", "waiting for replication timed out", new BsonDocument()), null, SERVER,
                List.of()));
        failures.put("WriteConflict 112", write(112, "WriteConflict"));
        failures.put("MaxTimeMSExpired 50", command(50, "MaxTimeMSExpired"));
        failures.put("duplicate key of a racing upsert", write(11000, "E11000 duplicate key error"));
        failures.put("an unknown server error", command(1, "InternalError"));
        assertClasses(FailureClass.TRANSIENT, failures);
    }

    @Test
    void documentsTooLargeUnencodableOrBadValuesArePermanent() {
        Map<String, Throwable> failures = new LinkedHashMap<>();
        failures.put("too large for the driver", new BsonMaximumSizeExceededException(
                "Payload document size is larger than maximum of 16777216."));
        failures.put("no codec", new CodecConfigurationException("Can't find a codec for class Foo"));
        failures.put("BadValue 2", write(2, "BadValue"));
        failures.put("BSONObjectTooLarge 10334", write(10334, "BSONObjectTooLarge"));
        failures.put("17419 document too large", write(17419, "Resulting document after update is larger"));
        assertClasses(FailureClass.PERMANENT, failures);
    }
}
