package io.mqttbackends.runtime.broker;

import io.mqttbackends.runtime.action.BrokerControl;

import io.mqttbackends.runtime.config.RuntimeConfig;
import io.quarkus.runtime.Startup;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.util.Optional;

/** Provides the {@link BrokerControl} that {@code mqttbackends.broker-control.type} selects. */
@ApplicationScoped
public class BrokerControlProducer {

    /** Created at startup so that missing EMQX API settings fail the start, not the first subscribe lookup. */
    @Produces
    @ApplicationScoped
    @Startup
    BrokerControl brokerControl(RuntimeConfig config, OutgoingMessages outgoing, Vertx vertx,
            TlsConfigurationRegistry tlsRegistry) {
        return create(config.brokerControl(), outgoing, vertx, Optional.of(tlsRegistry));
    }

    void close(@Disposes BrokerControl control) {
        if (control instanceof EmqxBrokerControl emqx) {
            emqx.close();
        }
    }

    /** Outside Quarkus (tests): no TLS configurations to name. */
    static BrokerControl create(RuntimeConfig.BrokerControl config, OutgoingMessages outgoing, Vertx vertx) {
        return create(config, outgoing, vertx, Optional.empty());
    }

    static BrokerControl create(RuntimeConfig.BrokerControl config, OutgoingMessages outgoing, Vertx vertx,
            Optional<TlsConfigurationRegistry> tlsRegistry) {
        MqttBrokerControl mqtt = new MqttBrokerControl(outgoing);
        return switch (config.type()) {
            case MQTT -> mqtt;
            case EMQX -> new EmqxBrokerControl(mqtt, vertx, EmqxBrokerControl.Settings.from(config, tlsRegistry));
        };
    }
}
