package io.mqttbackends.runtime.backend.redis;

/** An error reply of Redis to one command, with its code (the reply's first word: ERR, WRONGTYPE, NOAUTH, ...). */
final class RedisErrorReply extends RuntimeException {
    private final String code;

    RedisErrorReply(String pool, String reply) {
        super(pool + ": " + reply, null, false, false);
        this.code = codeOf(reply);
    }

    String code() {
        return code;
    }

    /** The code of an error reply: its first word, as the Redis protocol defines it. */
    static String codeOf(String reply) {
        int space = reply.indexOf(' ');
        return space < 0 ? reply : reply.substring(0, space);
    }
}
