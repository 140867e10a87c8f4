package io.mqttbackends.bench.fault;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One case as printed (one JSON object per line, snake_case keys). Times in seconds: {@code *_s} fields after the
 * fault ({@code fault_after_s} into the case's load); counts are messages of the steady load. A skipped case has
 * only its name, run and {@code skipped}.
 *
 * @param ok at-least-once cases: nothing lost and every acknowledged message stored; broker-kill: nothing lost
 *     among what was published after the runtime reconnected; large-burst: also the runtime alive and ready at
 *     the end
 * @param publishFailureReasons why publishes failed (exception and message), with their counts
 * @param outageS how long the fault was held (database stopped or locked, broker or runtime down)
 * @param firstRowAfterFaultS from the fault to the first message stored after the fault was lifted
 * @param backlogDrainedS from the fault to the first insert of the last message published before it was lifted
 * @param runtimeReadyS from the fault to the restarted runtime's readiness (runtime cases) or to its readiness
 *     after the broker came back (broker cases)
 * @param notReadyS how long the runtime's readiness was down during the case
 * @param lostPublishedS when the lost messages were published, first and last, relative to the fault
 * @param loadavg the machine's 1, 5 and 15 minute load averages at the end of the case (the cores are shared)
 * @param runtimeLog the runtime's log lines since the fault about its MQTT session, and its warnings and errors
 */
public record CaseResult(
        @JsonProperty("case") String caseName,
        int run,
        String startedAt,
        Boolean expectNoLoss,
        Boolean ok,
        Double rate,
        Integer faultAfterS,
        Double outageS,
        Long sent,
        Long publishFailed,
        Map<String, Long> publishFailureReasons,
        Long publishUnconfirmed,
        Long stored,
        Long storedUnacked,
        Long lost,
        Long duplicated,
        Long rows,
        Double firstRowAfterFaultS,
        Double backlogDrainedS,
        Double runtimeReadyS,
        Double notReadyS,
        Long peakRssMb,
        Integer runtimeRestarts,
        Boolean runtimeReadyAtEnd,
        String loadavg,
        List<Double> lostPublishedS,
        List<String> lostSample,
        Broker broker,
        Large large,
        List<String> notes,
        List<String> runtimeLog,
        String skipped) {

    /**
     * The broker cases' detail.
     *
     * @param savedBeforeFault when Mosquitto last wrote its state file before the fault (null: never)
     * @param sentAfterReconnect acknowledged messages published after the runtime was ready again
     * @param lostAfterReconnect of those, not stored: the symptom
     * @param brokerLog Mosquitto's log lines about the runtime's client after the restart
     */
    public record Broker(String savedBeforeFault, Long sentAfterReconnect, Long storedAfterReconnect,
            Long lostAfterReconnect, List<String> brokerLog) {
    }

    /**
     * The large-burst case's detail.
     *
     * @param acked large messages the broker acknowledged
     * @param rowsStored rows of the large messages' topic
     * @param outOfMemoryErrors {@code OutOfMemoryError} mentions in the runtime's log since the burst
     * @param runtimeExits runtime processes that ended during the case (the command restarts a dead runtime)
     */
    public record Large(int count, int bytes, long acked, long rowsStored, long outOfMemoryErrors,
            int runtimeExits) {
    }

    static CaseResult skipped(FaultCase c, int run, String why) {
        return new CaseResult(c.id(), run, null, c.expectNoLoss(), null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                why);
    }
}
