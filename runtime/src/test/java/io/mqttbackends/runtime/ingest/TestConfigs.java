package io.mqttbackends.runtime.ingest;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Builds {@link RuntimeConfig} without booting Quarkus, and helpers for the shared Mosquitto on 127.0.0.1:1883. */
public final class TestConfigs {

    private TestConfigs() {
    }

    /** A unique suffix for client ids and topics: Mosquitto is shared by concurrent builds. */
    public static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** The mapping with {@code properties} (keys without the {@code mqttbackends.} prefix) over the defaults. */
    public static RuntimeConfig runtimeConfig(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>();
        all.put("mqttbackends.conf-dir", "target/conf");
        all.put("mqttbackends.mqtt.host", "127.0.0.1");
        properties.forEach((key, value) -> all.put("mqttbackends." + key, value));
        return new SmallRyeConfigBuilder()
                .withMapping(RuntimeConfig.class)
                // Quarkus registers this converter itself; a bare SmallRye config needs it for the size settings.
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(all, "test", 100))
                .build()
                .getConfigMapping(RuntimeConfig.class);
    }

    /** A connected plain test client. */
    public static Mqtt5BlockingClient testClient(String clientId) {
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(1883).buildBlocking();
        client.connect();
        return client;
    }

    /** Removes a persistent session from the broker: connect with clean start and no expiry, then leave. */
    public static void discardSession(String clientId) {
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(1883).buildBlocking();
        client.connectWith().cleanStart(true).sessionExpiryInterval(0).send();
        client.disconnect();
    }
}
