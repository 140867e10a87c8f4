package io.mqttbackends.operator.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Starts a {@link FakeRuntime} before Quarkus and points the operator's runtime URL at it. */
public class FakeRuntimeResource implements QuarkusTestResourceLifecycleManager {

    private static volatile FakeRuntime runtime;

    public static FakeRuntime runtime() {
        return runtime;
    }

    @Override
    public Map<String, String> start() {
        runtime = new FakeRuntime();
        return Map.of("mqttbackends.operator.runtime-url", runtime.url());
    }

    @Override
    public void stop() {
        runtime.close();
    }
}
