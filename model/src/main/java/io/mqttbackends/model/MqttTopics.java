package io.mqttbackends.model;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * MQTT topic-filter matching (MQTT 5 §4.7): {@code +} matches one level, {@code #} the rest including the parent
 * level, and a topic starting with {@code $} is not matched by a filter starting with a wildcard. Shared-subscription
 * filters ({@code $share/<group>/<filter>}) match as their inner filter.
 */
public final class MqttTopics {

    private static final String SHARE_PREFIX = "$share/";

    private MqttTopics() {
    }

    /** Whether {@code topic} (a topic name) matches {@code filter}. */
    public static boolean matches(String filter, String topic) {
        String[] f = levels(stripShare(filter));
        String[] t = levels(topic);
        if (topic.startsWith("$") && isWildcard(f[0])) {
            return false;
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** Whether some topic name matches both filters (so a broker would deliver it once per subscription). */
    public static boolean overlap(String filterA, String filterB) {
        String[] a = levels(stripShare(filterA));
        String[] b = levels(stripShare(filterB));
        if (a[0].startsWith("$") && isWildcard(b[0]) || b[0].startsWith("$") && isWildcard(a[0])) {
            return false;
        }
        int common = Math.min(a.length, b.length);
        for (int i = 0; i < common; i++) {
            if (a[i].equals("#") || b[i].equals("#")) {
                return true;
            }
            if (!a[i].equals("+") && !b[i].equals("+") && !a[i].equals(b[i])) {
                return false;
            }
        }
        String[] longer = a.length > b.length ? a : b;
        // "a/#" also matches "a": a trailing '#' one level below the shorter filter still overlaps.
        return a.length == b.length || longer.length == common + 1 && longer[common].equals("#");
    }

    /**
     * Whether every topic {@code specific} matches is also matched by {@code general}, so a subscription to
     * {@code general} alone receives all of them.
     */
    public static boolean covers(String general, String specific) {
        String[] g = levels(stripShare(general));
        String[] s = levels(stripShare(specific));
        if (s[0].startsWith("$") && isWildcard(g[0])) {
            return false;
        }
        for (int i = 0; i < g.length; i++) {
            if (g[i].equals("#")) {
                return true;
            }
            if (i >= s.length || s[i].equals("#") || !g[i].equals("+") && !g[i].equals(s[i])) {
                return false;
            }
        }
        return g.length == s.length;
    }

    /**
     * Why {@code filter} is not a valid MQTT topic filter (MQTT 5 §4.7), empty when it is: not empty, at most 65,535
     * bytes of UTF-8, no U+0000, no other control character (the specification says it SHOULD NOT hold them and a
     * broker may refuse it), no lone surrogate, {@code #} only as the whole last level, {@code +} only as a whole
     * level, and a {@code $share/<group>/} prefix with a group name and a filter after it.
     */
    public static Optional<String> filterProblem(String filter) {
        if (filter == null || filter.isEmpty()) {
            return Optional.of("empty topic filter");
        }
        if (filter.getBytes(StandardCharsets.UTF_8).length > 65_535) {
            return Optional.of("longer than 65535 bytes");
        }
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (Character.isISOControl(c)) {
                return Optional.of("control character U+" + String.format("%04X", (int) c));
            }
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < filter.length()
                    && Character.isLowSurrogate(filter.charAt(++i)))) {
                return Optional.of("not valid UTF-16 (lone surrogate)");
            }
        }
        String inner = filter;
        if (filter.startsWith(SHARE_PREFIX)) {
            int groupEnd = filter.indexOf('/', SHARE_PREFIX.length());
            if (groupEnd <= SHARE_PREFIX.length() || groupEnd == filter.length() - 1) {
                return Optional.of("$share/ needs a group name and a filter: $share/<group>/<filter>");
            }
            String group = filter.substring(SHARE_PREFIX.length(), groupEnd);
            if (group.contains("+") || group.contains("#")) {
                return Optional.of("a share group name cannot hold + or #");
            }
            inner = filter.substring(groupEnd + 1);
        }
        String[] levels = levels(inner);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return Optional.of("# must be the whole last level");
            }
            if (level.contains("+") && !level.equals("+")) {
                return Optional.of("+ must be a whole level");
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code filter} (valid, {@code $share} prefix ignored) matches every topic that does not start with
     * {@code $}: {@code #}, {@code +/#}, {@code +/+/#}, ...
     */
    public static boolean matchesEverything(String filter) {
        String[] levels = levels(stripShare(filter));
        for (int i = 0; i < levels.length - 1; i++) {
            if (!levels[i].equals("+")) {
                return false;
            }
        }
        return levels[levels.length - 1].equals("#");
    }

    /** The filter without a {@code $share/<group>/} prefix. */
    public static String stripShare(String filter) {
        if (!filter.startsWith(SHARE_PREFIX)) {
            return filter;
        }
        int groupEnd = filter.indexOf('/', SHARE_PREFIX.length());
        return groupEnd < 0 ? filter : filter.substring(groupEnd + 1);
    }

    private static boolean isWildcard(String level) {
        return level.equals("+") || level.equals("#");
    }

    private static String[] levels(String topic) {
        return topic.split("/", -1);
    }
}
