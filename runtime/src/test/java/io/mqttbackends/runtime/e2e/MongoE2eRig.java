package io.mqttbackends.runtime.e2e;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import io.mqttbackends.runtime.testing.MongoStandIn;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.mqttbackends.runtime.testing.TestMqtt;

/**
 * What a MongoDB end-to-end test class runs against, made by {@link MongoE2eResource}: the database of
 * {@code pool1} (EMQX's default hook lines), the database of {@code pool2} (the {@code mongo_json} hooks on
 * {@code <raw>/json/#}), the MQTT topics the runtime consumes, the broker, and the EMQX REST API stand-in.
 */
public final class MongoE2eRig implements E2eRig {
    private final String prefix;
    private final MongoDatabase main;
    private final MongoDatabase json;
    private final int brokerPort;
    private final MongoStandIn standIn;
    private final RecordingHttpServer emqxApi;
    private final String runtimeClientId;
    /** The client of a private stand-in, else null (the run's server has its own). */
    private final MongoClient ownClient;

    MongoE2eRig(String prefix, MongoDatabase main, MongoDatabase json, int brokerPort, MongoStandIn standIn,
            RecordingHttpServer emqxApi, String runtimeClientId, MongoClient ownClient) {
        this.prefix = prefix;
        this.main = main;
        this.json = json;
        this.brokerPort = brokerPort;
        this.standIn = standIn;
        this.emqxApi = emqxApi;
        this.runtimeClientId = runtimeClientId;
        this.ownClient = ownClient;
    }

    /** Plain publishes ({@code raw} ingest) go below this topic level. */
    public String raw() {
        return prefix;
    }

    /** Topics below this level are also stored by the {@code mongo_json} hooks of {@code pool2}. */
    public String jsonTopics() {
        return prefix + "/json";
    }

    /** The client whose cursor EMQX wrote (the shared-MongoDB rig only, see {@link MongoE2eResource}). */
    public static final String EMQX_CLIENT = "emqx-written-client";

    /** The topic of the messages EMQX wrote before the runtime started (the shared-MongoDB rig only). */
    public String emqxTopic() {
        return prefix + "/emqx-data/inbox";
    }

    /** EMQX rule-engine events ({@code emqx-rule} ingest) go below this topic level. */
    @Override
    public String rulePrefix() {
        return prefix + "-events";
    }

    /** The database of {@code pool1}, through a plain driver client. */
    public MongoDatabase main() {
        return main;
    }

    /** The database of {@code pool2} ({@code mongo_json}), through a plain driver client. */
    public MongoDatabase json() {
        return json;
    }

    /** A real MQTT client on the broker the runtime reads. */
    @Override
    public TestMqtt mqtt(String clientIdPrefix) {
        return new TestMqtt(clientIdPrefix, brokerPort);
    }

    /** The private stand-in the pools use; fails when the class runs on the run's shared MongoDB. */
    public MongoStandIn standIn() {
        if (standIn == null) {
            throw new IllegalStateException("this rig runs on the run's shared MongoDB: ask for stand-in=private");
        }
        return standIn;
    }

    public RecordingHttpServer emqxApi() {
        return emqxApi;
    }

    @Override
    public String runtimeClientId() {
        return runtimeClientId;
    }

    void closeClient() {
        if (ownClient != null) {
            ownClient.close();
        }
    }
}
