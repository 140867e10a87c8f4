package io.mqttbackends.runtime.hook;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttbackends.runtime.action.ActionRunner;
import io.mqttbackends.runtime.backend.Backends;
import io.mqttbackends.runtime.backend.pgsql.PgsqlBackend;
import io.mqttbackends.runtime.broker.DeadLetters;
import io.mqttbackends.runtime.broker.MqttBrokerControl;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.ingest.MqttIngress;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import io.vertx.mutiny.core.Vertx;
import java.util.List;

/** An {@link ActiveConfiguration} wired as the application wires it, with the PostgreSQL backend, without Quarkus. */
final class TestActiveConfiguration {

    private TestActiveConfiguration() {
    }

    static ActiveConfiguration create(RuntimeConfig config, Vertx vertx, MeterRegistry registry) {
        MqttIngress ingress = new MqttIngress(config);
        MqttBrokerControl broker = new MqttBrokerControl(ingress);
        RuntimeMetrics metrics = new RuntimeMetrics(registry);
        return new ActiveConfiguration(config, new Backends(List.of(new PgsqlBackend(vertx))), broker, metrics,
                new ActionRunner(config, broker, new DeadLetters(config, ingress), metrics));
    }
}
