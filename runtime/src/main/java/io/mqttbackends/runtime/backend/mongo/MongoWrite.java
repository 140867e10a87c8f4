package io.mqttbackends.runtime.backend.mongo;

import com.mongodb.client.model.WriteModel;
import org.bson.Document;

/**
 * What one event's write action asks of a MongoDB pool. Each kind is idempotent, since the pool applies per item
 * and the action stage may apply a write again: a stored message is kept once by its unique {@code msgid}, a change
 * is an upsert or a delete by key, and a cursor only moves forward ({@code $max}).
 */
sealed interface MongoWrite {

    /**
     * Stores a message in {@code mqtt_msg}. Its integer {@code _id} is given when the batch is applied, from the
     * counter document, so that ids follow the order of storing across batches, pools and replicas.
     *
     * @param document the message's fields, without {@code _id}
     */
    record StoreMessage(String msgid, Document document) implements MongoWrite {
    }

    /** An upsert or delete on one collection by its key. */
    record Change(String collection, WriteModel<Document> model) implements MongoWrite {
    }

    /**
     * Moves the offline cursor of (clientid, topic) to the stored message {@code msgid} unless it is already past it;
     * nothing when that message is not stored (QoS 0, never stored, or deleted meanwhile).
     */
    record MoveCursor(String clientid, String topic, String msgid) implements MongoWrite {
    }
}
