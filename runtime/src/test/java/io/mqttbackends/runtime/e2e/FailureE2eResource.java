package io.mqttbackends.runtime.e2e;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts the runtime of one failure-path test class on a {@link FailureRig} of its own. A test class extends this
 * with a public static nested class that names its topic prefix, prepares the rig (tables, proxies, the conf the
 * runtime starts with) and may add runtime properties; the test gets the rig injected into its {@code FailureRig}
 * field. Use it with {@code restrictToAnnotatedClass = true}, so each class runs its own runtime.
 */
public abstract class FailureE2eResource implements QuarkusTestResourceLifecycleManager {
    private FailureRig rig;

    /** The topic prefix, also the start of the rig's client ids and database name: lower case, unique per class. */
    protected abstract String prefix();

    /** Creates what the runtime needs before it starts, and writes the conf it starts with. */
    protected abstract void prepare(FailureRig rig);

    /** Runtime properties to set on top of (or instead of) the rig's. */
    protected Map<String, String> properties(FailureRig rig) {
        return Map.of();
    }

    @Override
    public Map<String, String> start() {
        rig = new FailureRig(prefix());
        try {
            prepare(rig);
            Map<String, String> properties = new HashMap<>(rig.runtimeProperties());
            properties.putAll(properties(rig));
            return properties;
        } catch (RuntimeException | Error e) {
            rig.close();
            throw e;
        }
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(rig, new TestInjector.MatchesType(FailureRig.class));
    }

    @Override
    public void stop() {
        if (rig != null) {
            rig.close();
        }
    }
}
