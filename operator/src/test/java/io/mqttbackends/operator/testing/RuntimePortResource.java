package io.mqttbackends.operator.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Reserves the HTTP port the end-to-end test's runtime will listen on and points the operator at it before Quarkus
 * starts; the runtime itself starts later, once the operator has rendered its configuration.
 */
public class RuntimePortResource implements QuarkusTestResourceLifecycleManager {

    private static volatile int port;

    public static int port() {
        return port;
    }

    @Override
    public Map<String, String> start() {
        port = RuntimeProcess.freePort();
        return Map.of("mqttbackends.operator.runtime-url", "http://127.0.0.1:" + port);
    }

    @Override
    public void stop() {
        // The test closes the runtime process it started.
    }
}
