package io.mqttbackends.runtime.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Host names in settings: which ones stay on this machine, for the warnings about credentials sent in clear. */
public final class Hosts {

    private Hosts() {
    }

    /** Whether {@code host} names this machine; a name that does not resolve counts as remote. */
    public static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
