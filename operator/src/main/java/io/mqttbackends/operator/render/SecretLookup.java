package io.mqttbackends.operator.render;

import java.util.Map;
import java.util.Optional;

/**
 * The decoded data of the namespace's credential Secrets, by Secret name: those carrying {@link #LABEL}
 * {@code =} {@link #LABEL_VALUE}. Empty when no Secret of that name carries the label, whether it is missing or only
 * unlabelled: the operator asks the API server for labelled Secrets only, so it never receives the others.
 */
@FunctionalInterface
public interface SecretLookup {

    /** The label a user puts on a Secret a BackendPool references, so that the operator may read it. */
    String LABEL = "mqttbackends.io/credentials";
    String LABEL_VALUE = "true";

    Optional<Map<String, String>> data(String secretName);
}
