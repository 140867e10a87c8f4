package io.mqttbackends.runtime.testing;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoClientSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** What {@code MongoRestartIT} relies on: a stop closes the port and the connections, a restart serves the data. */
class MongoStandInTest {

    @Test
    void aRestartOnTheSamePortServesTheDocumentsAndIndexesOfBeforeTheStop() {
        try (MongoStandIn mongo = MongoStandIn.start();
                MongoClient client = MongoClients.create(MongoClientSettings.builder()
                        .applyConnectionString(new ConnectionString(mongo.uri()))
                        .applyToClusterSettings(c -> c.serverSelectionTimeout(1, TimeUnit.SECONDS)).build())) {
            MongoCollection<Document> msgs = client.getDatabase("standin").getCollection("mqtt_msg");
            msgs.createIndex(Indexes.ascending("msgid"), new IndexOptions().unique(true));
            msgs.insertOne(new Document("_id", 1L).append("msgid", "A"));

            mongo.down();
            assertThatThrownBy(() -> msgs.insertOne(new Document("_id", 2L).append("msgid", "B")))
                    .isInstanceOf(MongoException.class);

            mongo.up();
            assertThat(msgs.find(eq("msgid", "A")).first()).isEqualTo(new Document("_id", 1L).append("msgid", "A"));
            assertThatThrownBy(() -> msgs.insertOne(new Document("_id", 3L).append("msgid", "A")))
                    .isInstanceOf(MongoWriteException.class).hasMessageContaining("E11000");
            msgs.insertOne(new Document("_id", 2L).append("msgid", "B"));
            assertThat(msgs.countDocuments()).isEqualTo(2);
        }
    }
}
