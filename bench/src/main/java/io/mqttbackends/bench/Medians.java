package io.mqttbackends.bench;

import java.util.List;
import java.util.Objects;

/** The median of the figures of repeated runs (the mean of the middle two for an even count); nulls ignored. */
public final class Medians {
    private Medians() {
    }

    public static Double of(List<Double> values) {
        double[] sorted = values.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return null;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
