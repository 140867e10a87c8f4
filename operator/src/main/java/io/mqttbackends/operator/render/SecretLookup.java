package io.mqttbackends.operator.render;

import java.util.Map;
import java.util.Optional;

/** The decoded data of the namespace's Secrets, by Secret name; empty when the Secret does not exist. */
@FunctionalInterface
public interface SecretLookup {
    Optional<Map<String, String>> data(String secretName);
}
