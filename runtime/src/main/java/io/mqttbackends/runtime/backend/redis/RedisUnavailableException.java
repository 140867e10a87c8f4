package io.mqttbackends.runtime.backend.redis;

/** Redis cannot be reached or cannot serve right now; names the pool and what it tried to reach. */
public class RedisUnavailableException extends RuntimeException {
    RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
