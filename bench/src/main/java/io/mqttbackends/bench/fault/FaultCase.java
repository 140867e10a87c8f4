package io.mqttbackends.bench.fault;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The faults the command injects under steady load, by the name {@code --cases} takes.
 *
 * @param expectNoLoss whether at-least-once delivery must hold through this fault: every message the broker
 *     acknowledged to a publisher is stored. False only for the broker killed before it saved its state, where
 *     the broker itself forgets messages it had acknowledged; there only what is published after the runtime's
 *     reconnect must be stored.
 */
public enum FaultCase {
    /** SIGKILL of the runtime, then a restart: the broker redelivers what was unacknowledged. */
    RUNTIME_KILL(true),
    /** SIGTERM of the runtime (it drains what it took, then disconnects), then a restart. */
    RUNTIME_TERM(true),
    /** The database stopped ({@code pg_ctl stop -m fast}) for the outage, then started again. */
    DB_RESTART(true),
    /** The database hangs: another session holds {@code LOCK TABLE mqtt_msg IN ACCESS EXCLUSIVE MODE}. */
    DB_HANG(true),
    /** Mosquitto stopped gracefully (SIGTERM: it saves its sessions to disk), down for the outage, started again. */
    BROKER_RESTART(true),
    /** Mosquitto killed with SIGKILL (nothing saved since its last save), down for the outage, started again. */
    BROKER_KILL(false),
    /**
     * The same, when what Mosquitto last saved is a session of the runtime without its subscriptions (saved before
     * the runtime subscribed, as an autosave between its CONNECT and SUBSCRIBE or under an earlier configuration
     * would): after the restart the broker answers Session Present with a session that routes nothing to it.
     */
    BROKER_KILL_STALE(false),
    /** Large payloads (10 MB by default) published among the small ones. */
    LARGE_BURST(true);

    private final boolean expectNoLoss;

    FaultCase(boolean expectNoLoss) {
        this.expectNoLoss = expectNoLoss;
    }

    public boolean expectNoLoss() {
        return expectNoLoss;
    }

    /** The name on the command line and in the JSON, e.g. {@code runtime-kill}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static FaultCase of(String id) {
        return Arrays.stream(values()).filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--cases: unknown case '" + id + "'; one of "
                        + ids()));
    }

    public static String ids() {
        return Arrays.stream(values()).map(FaultCase::id).collect(Collectors.joining(", "));
    }
}
