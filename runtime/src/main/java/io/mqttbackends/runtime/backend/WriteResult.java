package io.mqttbackends.runtime.backend;

/**
 * What became of one write of a batch ({@link BackendPool#apply}): one result per write, in the batch's order.
 */
public sealed interface WriteResult {

    /** The write took effect. */
    WriteResult APPLIED = new Applied();

    /** The write took effect. */
    record Applied() implements WriteResult {
    }

    /**
     * The write itself failed: the database refused it or could not be reached for it. The action stage decides by
     * {@link BackendPool#classify} whether to retry it or to give it up.
     */
    record Failed(Throwable cause) implements WriteResult {
    }

    /**
     * The write did not take effect because of another write or of the call as a whole: a rolled-back transaction,
     * an ordered bulk write that stopped at an earlier item, a call that timed out. It is safe to apply again.
     *
     * @param cause why the batch did not apply, for logs and for classifying the whole call
     */
    record NotApplied(Throwable cause) implements WriteResult {
    }
}
