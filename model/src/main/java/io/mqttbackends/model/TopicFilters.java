package io.mqttbackends.model;

import java.util.Optional;

/** The syntax of MQTT topic filters, as a hook's {@code topic} must follow it. */
public final class TopicFilters {
    private TopicFilters() {
    }

    /** What is wrong with a topic filter by MQTT 3.1.1 §4.7, or empty when it is valid. */
    public static Optional<String> problem(String filter) {
        if (filter.isEmpty()) {
            return Optional.of("it is empty");
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return Optional.of("'#' must be alone in the last level");
            }
            if (level.contains("+") && !level.equals("+")) {
                return Optional.of("'+' must be alone in its level");
            }
        }
        return Optional.empty();
    }
}
