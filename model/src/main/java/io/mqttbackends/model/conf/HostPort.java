package io.mqttbackends.model.conf;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code host[:port]} of a pool's {@code server} / {@code nodes} value; IPv6 hosts in brackets
 * ({@code [::1]:5432}). The one grammar both validation and every backend use.
 */
public record HostPort(String host, int port) {
    private static final Pattern HOST_PORT =
            Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9][A-Za-z0-9._-]*)(?::(\\d{1,5}))?");

    /** Parses one entry; empty when it is not host[:port] with a port from 1 to 65535. */
    public static Optional<HostPort> parse(String value, int defaultPort) {
        Matcher m = HOST_PORT.matcher(value.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        int port = m.group(2) == null ? defaultPort : Integer.parseInt(m.group(2));
        if (port < 1 || port > 65535) {
            return Optional.empty();
        }
        String host = m.group(1);
        return Optional.of(new HostPort(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port));
    }
}
