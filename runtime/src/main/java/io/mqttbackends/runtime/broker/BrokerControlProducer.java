package io.mqttbackends.runtime.broker;

import io.mqttbackends.runtime.action.BrokerControl;

import io.mqttbackends.runtime.config.RuntimeConfig;
import io.quarkus.runtime.Startup;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/** Provides the {@link BrokerControl} that {@code mqttbackends.broker-control.type} selects. */
@ApplicationScoped
public class BrokerControlProducer {

    /** Created at startup so that missing EMQX API settings fail the start, not the first subscribe lookup. */
    @Produces
    @ApplicationScoped
    @Startup
    BrokerControl brokerControl(RuntimeConfig config, OutgoingMessages outgoing, Vertx vertx) {
        return create(config.brokerControl(), outgoing, vertx);
    }

    void close(@Disposes BrokerControl control) {
        if (control instanceof EmqxBrokerControl emqx) {
            emqx.close();
        }
    }

    static BrokerControl create(RuntimeConfig.BrokerControl config, OutgoingMessages outgoing, Vertx vertx) {
        MqttBrokerControl mqtt = new MqttBrokerControl(outgoing);
        return switch (config.type()) {
            case MQTT -> mqtt;
            case EMQX -> new EmqxBrokerControl(mqtt, vertx, EmqxBrokerControl.Settings.from(config));
        };
    }
}
