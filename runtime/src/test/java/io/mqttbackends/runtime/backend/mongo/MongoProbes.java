package io.mqttbackends.runtime.backend.mongo;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Sorts;
import io.mqttbackends.runtime.backend.FunctionsContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.Document;

/**
 * EMQX 4.4's MongoDB collections ({@code mqtt_client}, {@code mqtt_sub}, {@code mqtt_msg}, {@code mqtt_retain},
 * {@code mqtt_acked}) read and written with the plain synchronous driver, the way an application sharing the database
 * would, outside the pool under test. Every filter is built from typed values ({@link com.mongodb.client.model.Filters}),
 * never parsed from text, so a client id such as {@code {"$ne":null}} is matched as the string it is.
 */
final class MongoProbes implements FunctionsContract.Probes {
    private final MongoDatabase db;

    MongoProbes(MongoDatabase db) {
        this.db = db;
    }

    MongoCollection<Document> collection(String name) {
        return db.getCollection(name);
    }

    /** The client's document, if any. */
    Optional<Document> client(String clientid) {
        return Optional.ofNullable(collection("mqtt_client").find(eq("clientid", clientid)).first());
    }

    @Override
    public Optional<Boolean> online(String clientid) {
        return client(clientid).map(doc -> switch (String.valueOf(doc.get("state"))) {
            case "1" -> true;
            case "0" -> false;
            default -> throw new AssertionError("mqtt_client of " + clientid + " is " + doc.toJson());
        });
    }

    @Override
    public void storeSubscription(String clientid, String topic, int qos) {
        collection("mqtt_sub").insertOne(new Document("clientid", clientid).append("topic", topic).append("qos", qos));
    }

    /** The topic's {@code mqtt_msg} documents by ascending {@code _id}, the order an offline fetch delivers in. */
    List<Document> messages(String topic) {
        return collection("mqtt_msg").find(eq("topic", topic)).sort(Sorts.ascending("_id")).into(new ArrayList<>());
    }

    /** The {@code mqtt_msg} documents with this msgid. */
    List<Document> messagesWithMsgid(String msgid) {
        return collection("mqtt_msg").find(eq("msgid", msgid)).into(new ArrayList<>());
    }

    @Override
    public List<String> storedMsgids(String topic) {
        return messages(topic).stream().map(doc -> doc.getString("msgid")).toList();
    }

    Optional<Document> retained(String topic) {
        return Optional.ofNullable(collection("mqtt_retain").find(eq("topic", topic)).first());
    }

    @Override
    public Optional<String> retainedMsgid(String topic) {
        return retained(topic).map(doc -> doc.getString("msgid"));
    }

    /** The cursor document of (client id, topic), if any. */
    Optional<Document> acked(String clientid, String topic) {
        return Optional.ofNullable(collection("mqtt_acked").find(and(eq("clientid", clientid), eq("topic", topic)))
                .first());
    }

    /** {@code mqtt_acked.mongo_id} of (client id, topic), if there is a cursor. */
    Optional<Long> cursor(String clientid, String topic) {
        return acked(clientid, topic).map(doc -> {
            Object id = doc.get("mongo_id");
            if (!(id instanceof Number number)) {
                throw new AssertionError("mqtt_acked of " + clientid + "/" + topic + " is " + doc.toJson());
            }
            return number.longValue();
        });
    }

    /** The msgid of the {@code mqtt_msg} whose {@code _id} is the cursor's {@code mongo_id}; 0 stands before all. */
    @Override
    public Optional<String> cursorMsgid(String clientid, String topic) {
        return cursor(clientid, topic).map(id -> {
            if (id == 0) {
                return FunctionsContract.BEFORE_EVERY_MESSAGE;
            }
            Document message = collection("mqtt_msg").find(eq("_id", id)).first();
            if (message == null) {
                throw new AssertionError("the cursor of " + clientid + "/" + topic + " stands at mongo_id " + id
                        + ", which no mqtt_msg has");
            }
            return message.getString("msgid");
        });
    }
}
