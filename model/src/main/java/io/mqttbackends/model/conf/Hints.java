package io.mqttbackends.model.conf;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** "Did you mean" suggestions for misspelt names, so an error points at the fix. */
final class Hints {
    /** Further than this many edits apart, a suggestion is more confusing than helpful. */
    private static final int MAX_DISTANCE = 2;

    private Hints() {
    }

    /** The known name closest to {@code name}, if it is a plausible typo of it. */
    static Optional<String> closest(String name, Collection<String> known) {
        return known.stream()
                .filter(k -> distance(name, k) <= MAX_DISTANCE)
                .min(Comparator.comparingInt((String k) -> distance(name, k)).thenComparing(k -> k));
    }

    /** {@code " (did you mean 'x'?)"}, or nothing. */
    static String didYouMean(Optional<String> suggestion) {
        return suggestion.map(s -> " (did you mean '" + s + "'?)").orElse("");
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
