package io.mqttbackends.runtime.action;

/** The broker's management API refused a request. */
public class BrokerControlException extends RuntimeException {

    private final int status;

    public BrokerControlException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The HTTP status the API answered with. */
    public int status() {
        return status;
    }

    /**
     * Whether retrying may help: server errors and throttling. A 4xx such as 404 {@code CLIENTID_NOT_FOUND} (the
     * client is gone) will not change by retrying.
     */
    public boolean isTransient() {
        return status >= 500 || status == 429;
    }
}
