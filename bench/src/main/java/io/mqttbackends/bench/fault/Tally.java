package io.mqttbackends.bench.fault;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One case's publishes checked against its rows, message by message (topic and sequence).
 *
 * @param sent publishes the broker acknowledged (PUBACK): only these had to be stored
 * @param failed publishes that completed with an error (never acknowledged)
 * @param unconfirmed publishes with no outcome when the load stopped
 * @param stored distinct messages stored, acknowledged or not
 * @param storedUnacked stored messages the publisher never saw acknowledged (the broker died before its PUBACK)
 * @param lost acknowledged messages with no row
 * @param duplicated rows beyond the first of a message
 * @param rows rows of the load's topics
 * @param firstRowAfterMicros the first insert of a message at or after the fault was lifted (epoch µs), or null
 * @param drainedMicros when the last message published before the fault was lifted was first stored: the backlog
 *     of the outage drained (epoch µs), or null when none of them was stored
 * @param sentAfterCut, storedAfterCut, lostAfterCut the same counts for the messages published at or after
 *     {@code cutMicros} (the runtime's reconnect, in the broker cases)
 * @param firstLostMicros, lastLostMicros when the first and the last lost message were published, or null
 * @param lostSample a few lost messages as {@code topic#sequence}
 */
record Tally(long sent, long failed, long unconfirmed, long stored, long storedUnacked, long lost, long duplicated,
        long rows, Long firstRowAfterMicros, Long drainedMicros, long sentAfterCut, long storedAfterCut,
        long lostAfterCut, Long firstLostMicros, Long lastLostMicros, List<String> lostSample) {

    private static final int SAMPLE = 10;

    static Tally of(List<SteadyLoad.Log> logs, List<FaultDb.Stored> rows, long liftedMicros, long cutMicros) {
        Map<String, Map<Integer, FaultDb.Stored>> byTopic = new HashMap<>();
        long rowCount = 0;
        long duplicated = 0;
        Long firstRowAfter = null;
        for (FaultDb.Stored s : rows) {
            byTopic.computeIfAbsent(s.topic(), t -> new HashMap<>()).put(s.sequence(), s);
            rowCount += s.copies();
            duplicated += s.copies() - 1;
            if (s.firstStoredMicros() >= liftedMicros && (firstRowAfter == null || s.firstStoredMicros() < firstRowAfter)) {
                firstRowAfter = s.firstStoredMicros();
            }
        }
        long sent = 0;
        long failed = 0;
        long unconfirmed = 0;
        long stored = 0;
        long storedUnacked = 0;
        long lost = 0;
        long sentAfter = 0;
        long storedAfter = 0;
        long lostAfter = 0;
        Long drained = null;
        Long firstLost = null;
        Long lastLost = null;
        List<String> sample = new ArrayList<>();
        for (SteadyLoad.Log log : logs) {
            Map<Integer, FaultDb.Stored> mine = byTopic.getOrDefault(log.topic, Map.of());
            int published = log.published();
            int acked = log.ackedCount();
            sent += acked;
            failed += log.failedCount();
            unconfirmed += published - acked - log.failedCount();
            for (int seq = 0; seq < published; seq++) {
                FaultDb.Stored s = mine.get(seq);
                boolean isAcked = log.isAcked(seq);
                long at = log.publishMicros(seq);
                boolean after = at >= cutMicros;
                if (s != null) {
                    stored++;
                    if (!isAcked) {
                        storedUnacked++;
                    }
                    if (after) {
                        storedAfter++;
                    }
                    if (at < liftedMicros && (drained == null || s.firstStoredMicros() > drained)) {
                        drained = s.firstStoredMicros();
                    }
                }
                if (isAcked && after) {
                    sentAfter++;
                }
                if (isAcked && s == null) {
                    lost++;
                    if (after) {
                        lostAfter++;
                    }
                    firstLost = firstLost == null ? at : Math.min(firstLost, at);
                    lastLost = lastLost == null ? at : Math.max(lastLost, at);
                    if (sample.size() < SAMPLE) {
                        sample.add(log.topic + "#" + seq);
                    }
                }
            }
        }
        return new Tally(sent, failed, unconfirmed, stored, storedUnacked, lost, duplicated, rowCount, firstRowAfter,
                drained, sentAfter, storedAfter, lostAfter, firstLost, lastLost, List.copyOf(sample));
    }
}
