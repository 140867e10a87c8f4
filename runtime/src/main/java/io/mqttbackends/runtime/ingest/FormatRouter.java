package io.mqttbackends.runtime.ingest;

import io.mqttbackends.model.MqttTopics;
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
     * The filters to subscribe to: every configured filter except those another one covers. Brokers may deliver one
     * copy of a publish per matching subscription (Mosquitto 2.0 does), so subscribing {@code #} (raw) and
     * {@code mqttbackends/events/#} (emqx-rule) side by side would decode each event twice; {@code #} alone receives
     * both, and {@link #route} tells them apart by topic.
     */
    public List<String> subscriptionFilters() {
        List<String> all = filters.values().stream().flatMap(List::stream).distinct().toList();
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            String candidate = all.get(i);
            boolean covered = false;
            for (int j = 0; j < all.size() && !covered; j++) {
                String other = all.get(j);
                // Of two filters covering each other (equal after $share stripping) the first one stays.
                covered = j != i && MqttTopics.covers(other, candidate)
                        && (!MqttTopics.covers(candidate, other) || j < i);
            }
            if (!covered) {
                kept.add(candidate);
            }
        }
        return List.copyOf(kept);
    }

    /**
     * Pairs of subscribed filters some topic matches both of, without one covering the other. MQTT does not let a
     * client tell the broker's copies apart, so such a topic is decoded once per copy: the caller warns about each.
     */
    public List<String> overlaps() {
        List<String> subscribed = subscriptionFilters();
        List<Labelled> all = new ArrayList<>();
        filters.forEach((format, list) -> list.stream().filter(subscribed::contains)
                .forEach(filter -> all.add(new Labelled(format, filter))));
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
