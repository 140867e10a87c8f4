package io.mqttbackends.model.conf;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/** {@code offline_opts} of an {@code on_message_fetch} hook: a row limit and a look-back window, both optional. */
public record OfflineOpts(OptionalInt maxReturnedCount, Optional<Duration> timeRange) {
    public static final OfflineOpts NONE = new OfflineOpts(OptionalInt.empty(), Optional.empty());
}
