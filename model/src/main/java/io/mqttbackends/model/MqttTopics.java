package io.mqttbackends.model;

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
