package io.mqttbackends.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mqttbackends.runtime.testing.DeadLetterWatcher;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Events the database refuses, in a steady stream of good ones, through Mosquitto and real PostgreSQL.
 *
 * <p>A {@code sql} hook inserts each message's payload into a {@code varchar(16)} column. The test publishes the same
 * paced stream twice, {@link #TICKS} good events 20 ms apart (10 s) over {@link #TOPICS} topics: once as it is, once
 * with an event whose payload is too long for the column (SQLSTATE 22001, a permanent failure) every 12th tick, about
 * four per second, on the same topics as the good ones, so they share partitions with them. Retry settings are the
 * shipped defaults (5 attempts, backoff 0.1 s doubling to 10 s). This proves that:
 * <ul>
 * <li>every good event is stored exactly once (counted by payload, unique per event) and every refused one is
 * dead-lettered (its record, payload decoded, arrives on the dead-letter topic), no good one is;</li>
 * <li>a refused event does not hold its partition for seconds of retries meant for an unavailable database: the run
 * with refused events completes (all good stored, all refused dead-lettered) within 1.5 times the clean run's time
 * plus 2 s, both measured here from the first publish.</li>
 * </ul>
 */
@QuarkusTest
@QuarkusTestResource(value = RefusedEventsIT.Resource.class, restrictToAnnotatedClass = true)
class RefusedEventsIT {
    static final String PREFIX = "refused-e2e";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int TOPICS = 4;
    private static final int TICKS = 500;
    private static final Duration TICK = Duration.ofMillis(20);
    /** A refused event every 12 ticks of 20 ms: about four per second. */
    private static final int REFUSED_EVERY = 12;

    /** The table with its narrow column, one pool of four partitions, the shipped retry defaults. */
    public static class Resource extends FailureE2eResource {
        @Override
        protected String prefix() {
            return PREFIX;
        }

        @Override
        protected void prepare(FailureRig rig) {
            try (TestPostgres pg = rig.pg()) {
                pg.execute("create table refused_log (id serial primary key, topic text, payload varchar(16))");
            }
            rig.write(rig.pgsqlPool("pool1", TestPostgres.PORT, "pool_size = 4")
                    + rig.sqlHook("pgsql", 1, "r", "pool1",
                            "insert into refused_log (topic, payload) values (${topic}, ${payload})"));
        }

        @Override
        protected Map<String, String> properties(FailureRig rig) {
            return Map.of("mqttbackends.retry.initial-backoff", "PT0.1S", "mqttbackends.retry.max-backoff", "PT10S",
                    "mqttbackends.retry.max-attempts", "5");
        }
    }

    FailureRig rig;

    /** One published stream and what became of it. */
    private record Stream(String topicPrefix, List<String> good, Set<String> refused, long startNanos) {
    }

    @Test
    void refusedEventsAreDeadLetteredWithoutHoldingTheirPartitions() {
        try (TestPostgres pg = rig.pg(); TestMqtt mqtt = new TestMqtt(PREFIX);
                DeadLetterWatcher deadLetters = new DeadLetterWatcher(rig.deadLetterTopic())) {
            String warmUp = PREFIX + "/r/warm-up-" + FailureRig.random() + "/";
            for (int i = 0; i < 2 * TOPICS; i++) {
                mqtt.publish(warmUp + (i % TOPICS), "w-" + i, 1, false);
            }
            await().atMost(WAIT).until(() -> storedGood(pg, warmUp) == 2 * TOPICS);

            Stream clean = publish(mqtt, "c", false);
            await("the clean stream stored").atMost(WAIT).until(() -> storedGood(pg, clean.topicPrefix()) == TICKS);
            Duration cleanTime = since(clean.startNanos());

            Stream mixed = publish(mqtt, "m", true);
            Duration bound = Duration.ofMillis(cleanTime.toMillis() * 3 / 2).plusSeconds(2);
            long deadline = mixed.startNanos() + bound.toNanos();
            while (System.nanoTime() < deadline && !complete(pg, deadLetters, mixed)) {
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            Duration mixedTime = since(mixed.startNanos());
            assertThat(complete(pg, deadLetters, mixed))
                    .as("stream with %d refused events among %d good ones complete within %d ms (1.5 x the clean"
                            + " stream's %d ms + 2 s); after %d ms: %d good stored, %d refused dead-lettered",
                            mixed.refused().size(), TICKS, bound.toMillis(), cleanTime.toMillis(),
                            mixedTime.toMillis(), storedGood(pg, mixed.topicPrefix()),
                            deadLettered(deadLetters, mixed).size())
                    .isTrue();

            for (Stream s : List.of(clean, mixed)) {
                assertThat(pg.count("select count(*) from refused_log where topic like $1", s.topicPrefix() + "%"))
                        .as("rows of %s (one per good event)", s.topicPrefix()).isEqualTo(TICKS);
                assertThat(pg.count("select count(distinct payload) from refused_log where topic like $1",
                        s.topicPrefix() + "%")).as("distinct payloads of %s", s.topicPrefix()).isEqualTo(TICKS);
            }
            assertThat(deadLettered(deadLetters, mixed)).as("refused payloads dead-lettered")
                    .isEqualTo(mixed.refused());
            assertThat(deadLetters.payloads()).as("dead letters of good events")
                    .doesNotContainAnyElementsOf(mixed.good()).doesNotContainAnyElementsOf(clean.good());
        }
    }

    /** Publishes one good event per tick, and with {@code refused} a refused one every {@link #REFUSED_EVERY}. */
    private Stream publish(TestMqtt mqtt, String label, boolean refused) {
        String run = label + FailureRig.random().substring(0, 4);
        String topicPrefix = PREFIX + "/r/" + run + "/";
        List<String> good = new ArrayList<>();
        Set<String> bad = new HashSet<>();
        long start = System.nanoTime();
        for (int tick = 0; tick < TICKS; tick++) {
            long due = start + tick * TICK.toNanos();
            while (System.nanoTime() < due) {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            String topic = topicPrefix + (tick % TOPICS);
            String payload = run + "-" + tick;
            good.add(payload);
            mqtt.publish(topic, payload, 1, false);
            if (refused && tick % REFUSED_EVERY == REFUSED_EVERY / 2) {
                String tooLong = run + "-" + tick + "-too-long-for-varchar-16";
                bad.add(tooLong);
                mqtt.publish(topic, tooLong, 1, false);
            }
        }
        return new Stream(topicPrefix, good, bad, start);
    }

    private static boolean complete(TestPostgres pg, DeadLetterWatcher deadLetters, Stream s) {
        return storedGood(pg, s.topicPrefix()) == TICKS && deadLettered(deadLetters, s).size() == s.refused().size();
    }

    private static Set<String> deadLettered(DeadLetterWatcher deadLetters, Stream s) {
        Set<String> found = new HashSet<>(deadLetters.payloads());
        found.removeIf(p -> p == null || !s.refused().contains(p));
        return found;
    }

    private static long storedGood(TestPostgres pg, String topicPrefix) {
        return pg.count("select count(*) from refused_log where topic like $1", topicPrefix + "%");
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
