package io.mqttbackends.runtime.action;

import io.mqttbackends.model.LogText;
import io.mqttbackends.model.MqttTopics;
import io.mqttbackends.runtime.backend.Subscription;
import io.mqttbackends.runtime.metrics.RuntimeMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What server-side subscriptions may reach the broker, whichever backend or control channel produced them: a valid
 * MQTT topic filter, QoS 0, 1 or 2, and, unless {@code mqttbackends.broker-control.allow-wildcard-subscriptions} is
 * on, neither a filter matching every topic ({@code #}, {@code +/#}) nor a {@code $}-topic ({@code $SYS/#}): a row
 * that anyone able to write the subscription table or the Redis channel adds must not make a device receive all
 * traffic or the broker's internals. A refused subscription is counted in
 * {@code mqttbackends_subscriptions_refused_total{reason}} and logged at WARN; the client's other subscriptions
 * still apply.
 */
final class SubscriptionPolicy {
    private static final Logger LOG = Logger.getLogger(SubscriptionPolicy.class);
    private static final String SHARE_PREFIX = "$share/";

    private final boolean allowWildcards;
    private final RuntimeMetrics metrics;

    SubscriptionPolicy(boolean allowWildcards, RuntimeMetrics metrics) {
        this.allowWildcards = allowWildcards;
        this.metrics = metrics;
    }

    /** The subscriptions of {@code clientid} that may be made; the others are counted and logged. */
    List<Subscription> admitted(String clientid, List<Subscription> subscriptions) {
        List<Subscription> admitted = new ArrayList<>(subscriptions.size());
        for (Subscription s : subscriptions) {
            Optional<String> refusal = refusal(s);
            if (refusal.isEmpty()) {
                admitted.add(s);
            } else {
                metrics.subscriptionRefused(refusal.get());
                LOG.warnf("not subscribing client '%s' to '%s' (QoS %d): %s", LogText.of(clientid),
                        LogText.of(s.topic()), s.qos(), explain(refusal.get(), s.topic()));
            }
        }
        return admitted;
    }

    /** The topics of {@code clientid} that may be unsubscribed: valid filters only (unsubscribing is harmless). */
    List<String> unsubscribable(String clientid, List<String> topics) {
        List<String> valid = new ArrayList<>(topics.size());
        for (String topic : topics) {
            Optional<String> problem = MqttTopics.filterProblem(topic);
            if (problem.isEmpty()) {
                valid.add(topic);
            } else {
                metrics.subscriptionRefused("bad-filter");
                LOG.warnf("not unsubscribing client '%s' from '%s': not a valid topic filter (%s)",
                        LogText.of(clientid), LogText.of(topic), problem.get());
            }
        }
        return valid;
    }

    /** Why a subscription is refused, as a metric reason; empty when it may be made. */
    private Optional<String> refusal(Subscription s) {
        if (s.qos() < 0 || s.qos() > 2) {
            return Optional.of("bad-qos");
        }
        if (MqttTopics.filterProblem(s.topic()).isPresent()) {
            return Optional.of("bad-filter");
        }
        if (allowWildcards) {
            return Optional.empty();
        }
        if (MqttTopics.matchesEverything(s.topic())) {
            return Optional.of("matches-everything");
        }
        String inner = s.topic().startsWith(SHARE_PREFIX) ? MqttTopics.stripShare(s.topic()) : s.topic();
        return inner.startsWith("$") ? Optional.of("system-topic") : Optional.empty();
    }

    private static String explain(String reason, String topic) {
        return switch (reason) {
            case "bad-qos" -> "QoS must be 0, 1 or 2";
            case "bad-filter" -> "not a valid topic filter (" + MqttTopics.filterProblem(topic).orElse("") + ")";
            case "matches-everything" -> "the filter matches every topic; set mqttbackends.broker-control."
                    + "allow-wildcard-subscriptions=true to allow it";
            default -> "a $-topic (broker internals); set mqttbackends.broker-control."
                    + "allow-wildcard-subscriptions=true to allow it";
        };
    }
}
