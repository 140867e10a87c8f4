package io.mqttbackends.runtime.ingest;

import io.mqttbackends.runtime.hook.MqttTopics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which format a publish is by the configured filter its topic matches, in {@link IngestFormat} order, so
 * {@code emqx-rule} and {@code emqx-sys} topics are never decoded as {@code raw}.
 */
public final class FormatRouter {

    private final Map<IngestFormat, List<String>> filters;

    /** @param filters topic filters per enabled format ({@code $share/<group>/} prefixes are ignored) */
    public FormatRouter(Map<IngestFormat, List<String>> filters) {
        this.filters = new EnumMap<>(IngestFormat.class);
        filters.forEach((format, list) -> this.filters.put(format, List.copyOf(list)));
    }

    /** The format of a publish on {@code topic}, empty when no configured filter matches it. */
    public Optional<IngestFormat> route(String topic) {
        for (Map.Entry<IngestFormat, List<String>> entry : filters.entrySet()) {
            if (entry.getValue().stream().anyMatch(filter -> MqttTopics.matches(filter, topic))) {
                return Optional.of(entry.getKey());
            }
        }
        return Optional.empty();
    }

    /**
     * Pairs of configured filters some topic matches both of. Brokers may deliver one copy per matching subscription
     * (Mosquitto 2.0 does) and MQTT does not let a client tell the copies apart, so such a topic is decoded once per
     * copy: the caller warns about each pair.
     */
    public List<String> overlaps() {
        List<Labelled> all = new ArrayList<>();
        filters.forEach((format, list) -> list.forEach(filter -> all.add(new Labelled(format, filter))));
        List<String> overlaps = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                if (MqttTopics.overlap(all.get(i).filter, all.get(j).filter)) {
                    overlaps.add(all.get(i) + " and " + all.get(j));
                }
            }
        }
        return overlaps;
    }

    private record Labelled(IngestFormat format, String filter) {
        @Override
        public String toString() {
            return format + " filter '" + filter + "'";
        }
    }
}
