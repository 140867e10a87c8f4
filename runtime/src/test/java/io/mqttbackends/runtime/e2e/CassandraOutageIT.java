package io.mqttbackends.runtime.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import com.datastax.oss.driver.api.core.cql.Row;
import io.mqttbackends.runtime.testing.DeadLetterWatcher;
import io.mqttbackends.runtime.testing.TcpProxy;
import io.mqttbackends.runtime.testing.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Cassandra "stopped" in the middle of a steady stream of publishes and "started" again: the pools reach the run's
 * Cassandra through a {@link TcpProxy}, which stops listening and cuts every connection for longer than
 * {@code call_timeout}, then listens again on the same port. The shared Cassandra itself is never stopped (other test
 * classes and worktrees use it), and to the driver a refused connect and a cut connection are what a stopped node
 * looks like. Readiness reports the pool down meanwhile, the messages published during the outage wait unacked in
 * the broker (a private Mosquitto with unbounded queues, so the broker drops nothing), and afterwards every message is
 * in {@code msg} exactly once.
 *
 * <p>The second test freezes the proxy instead ({@link TcpProxy#hang()}: connections stay open, nothing crosses them
 * again), so requests end by {@code call_timeout}. The frozen connections stay silent after the proxy forwards again,
 * so the pools answer again only once the driver's heartbeat (30 s by default) gives up on them: about 30 s more.
 */
@QuarkusTest
@QuarkusTestResource(value = CassandraE2eResource.class, restrictToAnnotatedClass = true, initArgs = {
    @ResourceArg(name = "proxy", value = "true"),
    @ResourceArg(name = "prefix", value = "cassa-outage"),
    @ResourceArg(name = "call_timeout", value = "2000")})
class CassandraOutageIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** One publish every 10 ms: about 100 a second. */
    private static final long PERIOD_MS = 10;

    CassandraE2eRig rig;

    @Test
    void aSteadyStreamPublishedAcrossACassandraOutageLongerThanCallTimeoutIsStoredExactlyOnce() throws Exception {
        streamAcrossAnOutage("stopped", TcpProxy::down);
    }

    /**
     * A node that freezes rather than stops: connections stay open and nothing comes back, so every request in flight
     * ends by the driver's timeout ({@code call_timeout}), not by a closed connection.
     */
    @Test
    void aSteadyStreamPublishedAcrossACassandraThatHangsLongerThanCallTimeoutIsStoredExactlyOnce() throws Exception {
        streamAcrossAnOutage("hanging", TcpProxy::hang);
    }

    private void streamAcrossAnOutage(String what, java.util.function.Consumer<TcpProxy> outage) throws Exception {
        String topic = rig.raw() + "/" + what + "/" + UUID.randomUUID().toString().substring(0, 8);
        TcpProxy proxy = rig.proxy();
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        AtomicInteger published = new AtomicInteger();
        AtomicReference<Throwable> publishFailure = new AtomicReference<>();
        ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor();
        try (TestMqtt mqtt = rig.mqtt("cassa-outage-publisher"); DeadLetterWatcher deadLetters = rig.deadLetters()) {
            publisher.scheduleAtFixedRate(() -> {
                try {
                    mqtt.publish(topic, "s-" + published.get(), 1, false);
                    published.incrementAndGet();
                } catch (RuntimeException e) {
                    publishFailure.compareAndSet(null, e);
                    throw e;
                }
            }, 0, PERIOD_MS, TimeUnit.MILLISECONDS);

            await().atMost(WAIT).until(() -> stored(topic).size() >= 50);
            outage.accept(proxy);
            long downAt = System.nanoTime();
            int atStop = published.get();
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                    .body(containsString("\"pool cassa.pool1\": \"down\"")));
            // Down for 3 call_timeouts at least: the writes in flight time out or fail, and are retried, not held.
            await().atMost(WAIT).until(() -> published.get() >= atStop + 300
                    && System.nanoTime() - downAt >= Duration.ofSeconds(6).toNanos());

            proxy.up();
            int atRestart = published.get();
            await().atMost(WAIT).until(() -> published.get() >= atRestart + 100);
            publisher.shutdown();
            assertThat(publisher.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            int total = published.get();
            await().atMost(WAIT).until(() -> stored(topic).size() >= total);
            assertThat(deadLetters.records()).as("an outage is waited through, nothing given up").isEmpty();
        } finally {
            publisher.shutdownNow();
        }
        assertThat(publishFailure.get()).as("every publish reached the broker").isNull();

        int total = published.get();
        List<Row> rows = stored(topic);
        assertThat(rows).extracting(r -> StandardCharsets.UTF_8.decode(r.getByteBuffer("payload")).toString())
                .as("each of the %d publishes once", total)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, total).mapToObj(i -> "s-" + i).toList());
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body(containsString("\"pool cassa.pool1\": \"up\"")));
    }

    private List<Row> stored(String topic) {
        return rig.rows("SELECT payload FROM %s.msg WHERE topic = ?", topic);
    }
}
