package io.mqttbackends.runtime.action;

import java.time.Duration;

/** A database call that did not answer within its pool's {@code call_timeout}: the database counts as unavailable. */
public final class CallTimeoutException extends RuntimeException {

    CallTimeoutException(String pool, Duration limit) {
        super(pool + " did not answer within call_timeout " + limit.toMillis() + " ms", null, false, false);
    }
}
