package io.mqttbackends.operator.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.mqttbackends.operator.api.v1alpha1.BackendHook;
import io.mqttbackends.operator.api.v1alpha1.BackendHookSpec;
import io.mqttbackends.operator.api.v1alpha1.BackendPool;
import io.mqttbackends.operator.api.v1alpha1.BackendPoolSpec;
import io.mqttbackends.operator.api.v1alpha1.Credentials;
import io.mqttbackends.operator.api.v1alpha1.HookAction;
import io.mqttbackends.operator.api.v1alpha1.HookPoint;
import io.mqttbackends.operator.api.v1alpha1.PoolType;
import io.mqttbackends.operator.api.v1alpha1.SecretKeyRef;
import io.mqttbackends.operator.render.SecretLookup;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** Builders for the custom resources and Secrets tests create. */
public final class Resources {

    private Resources() {
    }

    public static BackendPool pool(String name, PoolType type, Consumer<BackendPoolSpec> customize) {
        BackendPool pool = new BackendPool();
        pool.setMetadata(new ObjectMetaBuilder().withName(name).build());
        BackendPoolSpec spec = new BackendPoolSpec();
        spec.setType(type);
        customize.accept(spec);
        pool.setSpec(spec);
        return pool;
    }

    public static BackendHook hook(String name, HookPoint hookPoint, String poolRef, int order,
            Consumer<BackendHookSpec> customize) {
        BackendHook hook = new BackendHook();
        hook.setMetadata(new ObjectMetaBuilder().withName(name).build());
        BackendHookSpec spec = new BackendHookSpec();
        spec.setHookpoint(hookPoint);
        spec.setPoolRef(poolRef);
        spec.setOrder(order);
        customize.accept(spec);
        hook.setSpec(spec);
        return hook;
    }

    public static HookAction function(String name) {
        HookAction action = new HookAction();
        action.setFunction(name);
        return action;
    }

    public static HookAction sql(String... statements) {
        HookAction action = new HookAction();
        action.setSql(List.of(statements));
        return action;
    }

    public static Credentials credentials(String secret, String usernameKey, String passwordKey) {
        Credentials credentials = new Credentials();
        if (usernameKey != null) {
            credentials.setUsername(new SecretKeyRef(secret, usernameKey));
        }
        credentials.setPassword(new SecretKeyRef(secret, passwordKey));
        return credentials;
    }

    /**
     * A credentials Secret as a real API server stores it (base64 data), labelled so that the operator reads it;
     * {@link #unlabelledSecret} for one it must not.
     */
    public static Secret secret(String name, Map<String, String> values) {
        Secret secret = unlabelledSecret(name, values);
        secret.getMetadata().getLabels().put(SecretLookup.LABEL, SecretLookup.LABEL_VALUE);
        return secret;
    }

    /** A Secret without the operator's label, its labels modifiable. */
    public static Secret unlabelledSecret(String name, Map<String, String> values) {
        return new SecretBuilder().withMetadata(new ObjectMetaBuilder().withName(name).withLabels(new HashMap<>())
                .build())
                .withData(values.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                        e -> Base64.getEncoder().encodeToString(e.getValue().getBytes(StandardCharsets.UTF_8)))))
                .build();
    }
}
