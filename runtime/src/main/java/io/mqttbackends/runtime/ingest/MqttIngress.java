package io.mqttbackends.runtime.ingest;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientConnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5RxClient;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import io.mqttbackends.model.LogText;
import io.mqttbackends.runtime.broker.OutgoingMessage;
import io.mqttbackends.runtime.broker.OutgoingMessages;
import io.mqttbackends.runtime.config.RuntimeConfig;
import io.mqttbackends.runtime.event.Message;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import io.reactivex.Flowable;
import io.reactivex.processors.AsyncProcessor;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import mutiny.zero.flow.adapters.AdaptersToFlow;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/**
 * The runtime's MQTT 5 session with the broker: consumes events and publishes replays.
 *
 * <p><b>Why the HiveMQ client directly and not a SmallRye Reactive Messaging connector.</b> The stock SmallRye MQTT
 * connector sits on the Vert.x MQTT client, which speaks MQTT 3.1.1 only: no user properties (we need them to mark our
 * own replays and carry the stored msgid), no Retain-As-Published and no Retain Handling (raw subscriptions need both,
 * to store the retain flag as published and not to re-store the broker's retained messages on every subscribe). The
 * Quarkiverse HiveMQ connector uses the HiveMQ client's MQTT 3 API with automatic acknowledgement, but at-least-once
 * needs the PUBACK deferred until every database action of the event succeeded. So this class drives
 * {@code com.hivemq:hivemq-mqtt-client} itself: MQTT 5, persistent session ({@code cleanStart=false}, session expiry),
 * manual acknowledgement, and its Reactive Streams {@code publishes} flow bridged to Mutiny, which keeps back-pressure:
 * unrequested publishes wait in the client and the broker sends at most Receive Maximum unacknowledged QoS 1 events.
 *
 * <p><b>Lifecycle.</b> Subscribing to {@link #events()} starts a run: a fresh client registers its publish flow,
 * then connects (the order matters: the HiveMQ client auto-acknowledges QoS 1 publishes no flow wants, and a resumed
 * session starts delivering right after CONNACK). The run subscribes the configured filters on every connection,
 * the first and each automatic reconnect, whatever CONNACK's Session Present says: a broker restarted from an older
 * saved state (Mosquitto killed between two autosaves) answers Session Present with a session that lacks our
 * subscriptions, and the HiveMQ client re-subscribes only when the session is absent, so the stream would stop with
 * the connection up. Re-subscribing an existing subscription replaces it (Retain Handling 2: no retained copies), and
 * readiness counts a connection only once its SUBACK came. Unacknowledged events of a surviving session are
 * redelivered by the broker. Cancelling the stream disconnects with the session kept, so nothing unacked is lost. A
 * fresh client per run matters: the old one would still hold the unacknowledged publishes of the last run, which would
 * block its PUBACK order forever.
 *
 * <p><b>Delivery probe.</b> A broker can stop delivering to a session whose connection stays up: Mosquitto 2.0.11
 * counts each publish it drops as larger than our Maximum Packet Size in the session's in-flight window and, after
 * {@code max_inflight_messages} of them, sends the session nothing more until it reconnects. The runtime sees none of
 * this, so every {@code mqttbackends.mqtt.delivery-probe-interval} it publishes a small QoS 1 probe to
 * {@code mqttbackends/probe/<client id>}, which only this session subscribes to (never through the share group), and
 * intercepts it when it comes back, before any format sees it. When one has not come back within
 * {@code delivery-probe-timeout} while the runtime held no un-acked event ({@link DeliveryProbe}), readiness goes
 * DOWN and the run ends with {@link DeliveryStalledException}; {@link EventPipeline} then starts a new run on the same
 * session. Ending the run rather than reconnecting the same client: a new run is a fresh client (see Lifecycle: the
 * old one still holds the un-acked publishes of its connection, whose PUBACK order would block), the reconnect resets
 * the broker's window, and the new run subscribes again as every connection does. Events the old run had taken and
 * not acked are redelivered by the broker (at-least-once: possibly stored twice, never lost).
 *
 * <p>Items are emitted on the client's event-loop thread: consumers must not block it.
 */
@ApplicationScoped
public class MqttIngress implements OutgoingMessages {

    private static final Logger LOG = Logger.getLogger(MqttIngress.class);
    /**
     * The client hands publishes over through RxJava's {@code observeOn}, whose queue holds {@code rx2.buffer-size}
     * items (128 by default). When that queue is full the client's flow has no demand, and from then on its
     * incoming-publish service walks every queued publish on each new arrival (its blocked flow answers -1 within a
     * drain run, so the walk does not stop): quadratic in the broker's in-flight window, and a third of the
     * runtime's CPU in a profile under load. A queue larger than any in-flight window keeps the flow unblocked.
     * Read once when RxJava initialises, which happens here first, so it is set before the first client is built.
     */
    private static final String RX_BUFFER_SIZE = "rx2.buffer-size";

    static {
        if (System.getProperty(RX_BUFFER_SIZE) == null) {
            System.setProperty(RX_BUFFER_SIZE, "4096");
        }
    }
    private static final long RECONNECT_INITIAL_DELAY_MS = 500;
    private static final long RECONNECT_MAX_DELAY_MS = 30_000;
    /** The topic level under which each runtime's delivery probe goes, followed by its client id. */
    static final String PROBE_TOPIC_PREFIX = "mqttbackends/probe/";

    private final RuntimeConfig.Mqtt mqtt;
    private final BrokerConnection connection;
    private final InboundDecoding decoding;
    private final AtomicReference<Mqtt5RxClient> client = new AtomicReference<>();
    /** Whether the current connection's SUBACK came; reset by each disconnect. */
    private final AtomicBoolean subscribed = new AtomicBoolean();
    /** Counts connections, so a SUBACK of an earlier connection does not mark a later one subscribed. */
    private final AtomicLong connections = new AtomicLong();
    /** Completes when the previous run's DISCONNECT went out; a new run connecting earlier would be taken over. */
    private volatile CompletableFuture<Void> previousRunClosed = CompletableFuture.completedFuture(null);
    /** Where this session's delivery probes go; empty when the probe is off. */
    private final Optional<String> probeTopic;
    private final DeliveryProbe probe;
    /** Events handed to the pipeline and not acked yet, across runs: while any is held, probes prove nothing. */
    private final AtomicInteger unacked = new AtomicInteger();
    /** Why the session does not count as delivering (a probe overdue), until a probe comes back. */
    private volatile Optional<String> notDelivering = Optional.empty();
    private final AtomicBoolean probeRefusalLogged = new AtomicBoolean();

    /**
     * With TLS from the Quarkus TLS configuration that {@code mqttbackends.mqtt.tls-configuration-name} names.
     *
     * @throws IllegalStateException naming the setting when that configuration or the password file is unusable
     */
    @Inject
    public MqttIngress(RuntimeConfig config, TlsConfigurationRegistry tlsRegistry, Vertx vertx) {
        this(config, BrokerConnection.resolve(config.mqtt(), Optional.of(tlsRegistry), vertx));
    }

    /** Outside Quarkus (tests of the ingress alone): plain TCP; a TLS configuration name is an error. */
    public MqttIngress(RuntimeConfig config) {
        this(config, BrokerConnection.resolve(config.mqtt(), Optional.empty(), null));
    }

    private MqttIngress(RuntimeConfig config, BrokerConnection connection) {
        this.mqtt = config.mqtt();
        this.connection = connection;
        this.decoding = new InboundDecoding(config);
        this.probeTopic = probeTopic(mqtt);
        this.probe = new DeliveryProbe(mqtt.deliveryProbeTimeout());
    }

    /**
     * {@code mqttbackends/probe/<client id>} unless the probe is off.
     *
     * @throws IllegalStateException naming the settings when they cannot make a probe
     */
    private static Optional<String> probeTopic(RuntimeConfig.Mqtt mqtt) {
        Duration interval = mqtt.deliveryProbeInterval();
        if (interval.isNegative() || interval.isZero()) {
            if (interval.isNegative()) {
                throw new IllegalStateException("mqttbackends.mqtt.delivery-probe-interval must be positive, or PT0S to"
                        + " turn the delivery probe off, not " + interval);
            }
            return Optional.empty();
        }
        if (mqtt.deliveryProbeTimeout().isNegative() || mqtt.deliveryProbeTimeout().isZero()) {
            throw new IllegalStateException("mqttbackends.mqtt.delivery-probe-timeout must be positive, not "
                    + mqtt.deliveryProbeTimeout());
        }
        if (mqtt.clientId().contains("+") || mqtt.clientId().contains("#")) {
            throw new IllegalStateException("mqttbackends.mqtt.client-id contains an MQTT wildcard (+ or #), so it"
                    + " cannot name the delivery probe's topic " + PROBE_TOPIC_PREFIX + "<client id>: choose another"
                    + " client id or set mqttbackends.mqtt.delivery-probe-interval=PT0S");
        }
        return Optional.of(PROBE_TOPIC_PREFIX + mqtt.clientId());
    }

    /**
     * The event stream; subscribing connects, cancelling disconnects (keeping the session). One subscriber at a
     * time: a second concurrent subscription fails with {@link IllegalStateException}. Publishes on topics that no
     * configured filter matches (subscriptions left in the persistent session by an earlier configuration) are acked
     * and dropped with a warning.
     */
    public Multi<Inbound> events() {
        return Multi.createFrom().deferred(this::startRun)
                .onItem().transform(this::toInbound)
                .select().where(Optional::isPresent)
                .onItem().transform(Optional::get);
    }

    /**
     * Whether the current run is connected, its subscriptions were granted, and the broker delivers to it (no
     * delivery probe overdue since the last one came back): readiness.
     */
    public boolean isConnected() {
        Mqtt5RxClient current = client.get();
        return current != null && current.getState().isConnected() && subscribed.get() && notDelivering.isEmpty();
    }

    /** Why the broker does not count as delivering to this session (a delivery probe overdue); empty otherwise. */
    public Optional<String> deliveryFailure() {
        return notDelivering;
    }

    /**
     * Publishes in order on the running session, completing when the broker accepted all of them (PUBACK for
     * QoS 1 and 2) and failing on the first rejection. The order holds on the wire; MQTT orders delivery to a
     * subscriber only within one QoS level.
     */
    @Override
    public Uni<Void> publishInOrder(List<OutgoingMessage> messages) {
        List<Mqtt5Publish> publishes = messages.stream().map(this::toPublish).toList();
        Mqtt5RxClient current = client.get();
        if (current == null) {
            return Uni.createFrom().failure(new IllegalStateException("MQTT session not started: nothing consumes "
                    + "MqttIngress.events()"));
        }
        return Multi.createFrom().publisher(AdaptersToFlow.publisher(current.publish(Flowable.fromIterable(publishes))))
                .onItem().transformToUniAndConcatenate(result -> result.getError()
                        .map(error -> Uni.createFrom().<Void>failure(new IllegalStateException(
                                "broker refused publish on " + result.getPublish().getTopic() + ": " + error, error)))
                        .orElseGet(() -> Uni.createFrom().voidItem()))
                .onItem().ignoreAsUni();
    }

    /**
     * Marked with {@code mqttbackends-origin}, so this runtime (and any replica) never consumes it as an event; with
     * a shared token also signed ({@link EventTrust}), so that no one else can mark a publish so.
     */
    private Mqtt5Publish toPublish(OutgoingMessage message) {
        Mqtt5UserPropertiesBuilder properties = Mqtt5UserProperties.builder()
                .add(Message.ORIGIN_PROPERTY, mqtt.clientId());
        message.userProperties().forEach(properties::add);
        decoding.trust().originSignature(message.topic(), message.userProperties(), message.payload())
                .forEach(properties::add);
        Mqtt5PublishBuilder.Complete publish = Mqtt5Publish.builder()
                .topic(message.topic())
                .qos(MqttQos.fromCode(message.qos()))
                .payload(message.payload())
                .retain(false)
                .userProperties(properties.build());
        message.contentType().ifPresent(publish::contentType);
        return publish.build();
    }

    /** The MQTT client id the session runs under. */
    @Override
    public String clientId() {
        return mqtt.clientId();
    }

    /**
     * Disconnects the running session (the broker keeps it) and waits for the DISCONNECT to go out, at most
     * {@code timeout}; the event stream stays subscribed. This is the order a graceful stop needs: cancelling the
     * stream first would leave the connection up without a publish flow, and the HiveMQ client acknowledges every
     * publish that no flow wants ("No publish flow registered"), so publishes arriving in that window would be acked
     * and never stored. Disconnected first, whatever the client still holds un-acked is redelivered after a restart.
     */
    public void disconnect(Duration timeout) {
        stopRun(client.get());
        try {
            previousRunClosed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("MQTT session %s: the DISCONNECT did not complete within %s", LogText.of(mqtt.clientId()),
                    timeout);
        } catch (ExecutionException e) {
            LOG.debugf("MQTT disconnect: %s", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void close() {
        stopRun(client.get());
    }

    private Multi<Mqtt5Publish> startRun() {
        Mqtt5RxClient fresh = buildClient();
        if (!client.compareAndSet(null, fresh)) {
            return Multi.createFrom().failure(new IllegalStateException("MqttIngress.events() already has a "
                    + "subscriber"));
        }
        subscribed.set(false);
        // Errs when the broker stops delivering; takeUntil passes requests through, so back-pressure is untouched.
        AsyncProcessor<Mqtt5Publish> stalled = AsyncProcessor.create();
        Flow.Publisher<Mqtt5Publish> publishes = AdaptersToFlow.publisher(
                fresh.publishes(MqttGlobalPublishFilter.ALL, true).takeUntil(stalled));
        Cancellable probes = probeTopic.map(topic -> Multi.createFrom().ticks().every(mqtt.deliveryProbeInterval())
                .onOverflow().drop()
                .subscribe().with(tick -> probe(fresh, topic, stalled),
                        failure -> LOG.warnf("MQTT session %s: the delivery probe stopped: %s",
                                LogText.of(mqtt.clientId()), failure.toString())))
                .orElse(() -> { });
        Flow.Publisher<Mqtt5Publish> connectAfterSubscribing = subscriber -> {
            publishes.subscribe(subscriber);
            previousRunClosed.whenComplete((ignored, failure) -> connect(fresh));
        };
        return Multi.createFrom().publisher(connectAfterSubscribing)
                .onTermination().invoke(() -> {
                    probes.cancel();
                    stopRun(fresh);
                });
    }

    /**
     * One probe tick of a run that is connected and subscribed: ends the run when a probe is overdue, else publishes
     * the next probe. A probe the broker refuses (the ACL lacks {@code mqttbackends/probe/#}) is not waited
     * for, and said once at WARN.
     */
    private void probe(Mqtt5RxClient run, String topic, AsyncProcessor<Mqtt5Publish> stalled) {
        // Disconnected (or stopped by a graceful stop): readiness says so already, and no probe can come back.
        if (client.get() != run || !run.getState().isConnected() || !subscribed.get()) {
            probe.reset();
            return;
        }
        long now = System.nanoTime();
        if (unacked.get() > 0) {
            probe.held(now);
        }
        Optional<Duration> overdue = probe.overdue(now);
        if (overdue.isPresent()) {
            String reason = "no probe back for " + overdue.get().toSeconds() + " s";
            notDelivering = Optional.of(reason);
            probe.reset();
            LOG.warnf("MQTT session %s: no delivery probe came back on %s for %d s (mqttbackends.mqtt."
                    + "delivery-probe-timeout=%s) while the runtime held no un-acked event: the broker stopped "
                    + "delivering to this session (Mosquitto does after max_inflight_messages publishes it dropped as "
                    + "larger than the declared maximum packet size); re-establishing the session",
                    LogText.of(mqtt.clientId()), LogText.of(topic), overdue.get().toSeconds(),
                    mqtt.deliveryProbeTimeout());
            stalled.onError(new DeliveryStalledException("MQTT session " + mqtt.clientId() + " not delivering: "
                    + reason));
            return;
        }
        long number = probe.publishing(now);
        run.toAsync().publish(toPublish(new OutgoingMessage(topic, MqttQos.AT_LEAST_ONCE.getCode(),
                        Long.toString(number).getBytes(StandardCharsets.UTF_8), Map.of(), Optional.empty())))
                .whenComplete((result, failure) -> {
                    Optional<Throwable> error = failure != null ? Optional.of(failure) : result.getError();
                    if (error.isPresent()) {
                        probe.notPublished(number);
                        if (probeRefusalLogged.compareAndSet(false, true)) {
                            LOG.warnf("MQTT session %s: the broker refused the delivery probe on %s (%s); the"
                                    + " runtime's broker user needs publish and subscribe on %s#",
                                    LogText.of(mqtt.clientId()), LogText.of(topic), error.get().toString(),
                                    PROBE_TOPIC_PREFIX);
                        }
                    }
                });
    }

    private void stopRun(Mqtt5RxClient run) {
        if (run != null && client.compareAndSet(run, null)) {
            subscribed.set(false);
            previousRunClosed = run.toAsync().disconnect().whenComplete((ignored, failure) -> {
                if (failure != null) {
                    LOG.debugf("MQTT disconnect: %s", failure.toString());
                }
            });
        }
    }

    private Mqtt5RxClient buildClient() {
        Mqtt5ClientBuilder builder = Mqtt5Client.builder()
                .identifier(mqtt.clientId())
                .serverHost(mqtt.host())
                .serverPort(mqtt.port())
                .automaticReconnect()
                .initialDelay(RECONNECT_INITIAL_DELAY_MS, TimeUnit.MILLISECONDS)
                .maxDelay(RECONNECT_MAX_DELAY_MS, TimeUnit.MILLISECONDS)
                .applyAutomaticReconnect()
                .addConnectedListener(this::onConnected)
                .addDisconnectedListener(this::onDisconnected);
        connection.tls().ifPresent(builder::sslConfig);
        if (mqtt.username().isPresent() || connection.password().isPresent()) {
            Mqtt5SimpleAuthBuilder.Complete auth = Mqtt5SimpleAuth.builder().username(mqtt.username().orElse(""));
            connection.password().ifPresent(password -> auth.password(password.getBytes(StandardCharsets.UTF_8)));
            builder.simpleAuth(auth.build());
        }
        return builder.buildRx();
    }

    /**
     * Readiness drops with the connection (of the running client; a stopped run's client stops reconnecting). The
     * client's own re-subscription of a lost session stays on although
     * {@link #onConnected} subscribes again: with it off, the client ends every publish flow when the session is lost,
     * which would end the run. A TLS failure (untrusted certificate, wrong host name, no client certificate accepted)
     * is a WARN with its reason: it needs an operator, not a retry.
     */
    private void onDisconnected(MqttClientDisconnectedContext context) {
        Mqtt5RxClient current = client.get();
        if (current == null || current.getConfig() != context.getClientConfig()) {
            // A stopped run's client. Its disconnect() cannot stop an automatic reconnect already under way (a
            // known limit of the HiveMQ client, issue #675): left alone it would go on reconnecting under the same
            // client id and take the session over from the running client. It stops here, and says nothing about
            // the running session's state.
            context.getReconnector().reconnect(false);
            return;
        }
        subscribed.set(false);
        Optional<Throwable> tls = tlsCause(context.getCause());
        if (tls.isPresent()) {
            LOG.warnf("MQTT TLS connection %s to %s:%d failed: %s; retrying in the background", mqtt.clientId(),
                    mqtt.host(), mqtt.port(), tls.get().toString());
        } else {
            LOG.infof("MQTT session %s to %s:%d lost (%s), reconnect: %s", mqtt.clientId(), mqtt.host(), mqtt.port(),
                    context.getCause().toString(), context.getReconnector().isReconnect());
        }
    }

    private static Optional<Throwable> tlsCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException) {
                return Optional.of(cause);
            }
        }
        return Optional.empty();
    }

    private void connect(Mqtt5RxClient target) {
        target.toAsync().connectWith()
                .cleanStart(false)
                .sessionExpiryInterval(mqtt.sessionExpiry().toSeconds())
                .keepAlive(mqtt.keepAliveSeconds())
                .restrictions()
                .receiveMaximum(mqtt.receiveMaximum())
                // Checked against MQTT's range at start (InboundDecoding); the broker discards larger publishes.
                .maximumPacketSize((int) mqtt.maximumPacketSize().asLongValue())
                .applyRestrictions()
                .send()
                .whenComplete((connAck, failure) -> {
                    if (failure != null) {
                        LOG.warnf("MQTT connect to %s:%d failed (%s); retrying in the background", mqtt.host(),
                                mqtt.port(), failure.toString());
                    }
                });
    }

    /**
     * Subscribes on every connection, Session Present or not (see the class comment); the connection counts for
     * readiness once its SUBACK came.
     */
    private void onConnected(MqttClientConnectedContext context) {
        Mqtt5RxClient current = client.get();
        if (current == null) {
            return;
        }
        long connected = connections.incrementAndGet();
        subscribed.set(false);
        boolean sessionPresent = context instanceof Mqtt5ClientConnectedContext mqtt5
                && mqtt5.getConnAck().isSessionPresent();
        List<String> subscriptions = decoding.subscriptionFilters();
        probe.reset();
        subscribe(current, subscriptions)
                .subscribe().with(
                        ignored -> {
                            if (connections.get() == connected && current.getState().isConnected()) {
                                subscribed.set(true);
                            }
                            LOG.infof("MQTT session %s subscribed to %s (formats: %s; delivery probe: %s; session "
                                    + "present at connect: %s)", mqtt.clientId(), subscriptions, decoding.filters(),
                                    probeTopic.orElse("off"), sessionPresent);
                        },
                        failure -> LOG.errorf("MQTT session %s could not subscribe to %s: %s", mqtt.clientId(),
                                subscriptions, failure.toString()));
    }

    /**
     * QoS 1 on every filter. Retain Handling 2 everywhere: a retained copy sent at subscribe time is old state, not a
     * new publish or event, and would be stored again on every (re)subscribe. Retain-As-Published so {@code raw}
     * stores the retain flag the publisher set. The delivery probe's topic goes with them, never shared: its probes
     * must come back to this session.
     */
    private Uni<Void> subscribe(Mqtt5RxClient target, List<String> subscriptions) {
        List<String> filters = new ArrayList<>(subscriptions.stream()
                .map(filter -> mqtt.shareGroup().map(group -> "$share/" + group + "/" + filter).orElse(filter))
                .toList());
        probeTopic.ifPresent(filters::add);
        if (filters.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Mqtt5Subscribe subscribe = Mqtt5Subscribe.builder().addSubscriptions(filters.stream()
                .map(filter -> Mqtt5Subscription.builder()
                        .topicFilter(filter)
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .retainAsPublished(true)
                        .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND)
                        .build()))
                .build();
        return Uni.createFrom().completionStage(target.toAsync().subscribe(subscribe))
                .onItem().transformToUni(subAck -> subAck.getReasonCodes().stream().anyMatch(code -> code.isError())
                        ? Uni.createFrom().<Void>failure(new IllegalStateException("subscription to "
                                + filters + " refused: " + subAck.getReasonCodes()))
                        : Uni.createFrom().voidItem());
    }

    /**
     * The publish in no client's types, decoded by the format its topic routes to; a delivery probe (every copy: the
     * broker may send one per matching subscription, raw's {@code #} included) is acked and noted here, never an
     * event. Its ack is counted, so the probe knows whether the runtime holds un-acked events.
     */
    private Optional<Inbound> toInbound(Mqtt5Publish publish) {
        String topic = publish.getTopic().toString();
        if (probeTopic.filter(topic::equals).isPresent()) {
            publish.acknowledge();
            probeReturned(publish.getPayloadAsBytes());
            return Optional.empty();
        }
        Map<String, String> userProperties = new HashMap<>();
        publish.getUserProperties().asList()
                .forEach(p -> userProperties.put(p.getName().toString(), p.getValue().toString()));
        unacked.incrementAndGet();
        AtomicBoolean acked = new AtomicBoolean();
        return decoding.decode(new IncomingPublish(topic, publish.getPayloadAsBytes(), publish.getQos().getCode(),
                publish.isRetain(), userProperties, System.currentTimeMillis()), () -> {
                    if (acked.compareAndSet(false, true)) {
                        publish.acknowledge();
                        if (unacked.decrementAndGet() == 0) {
                            // The broker's window may have been full of held events until now: the clock restarts.
                            probe.held(System.nanoTime());
                        }
                    }
                });
    }

    /** A probe came back: the broker delivers. A payload that is not a probe number (someone else's) proves it too. */
    private void probeReturned(byte[] payload) {
        try {
            probe.returned(Long.parseLong(new String(payload, StandardCharsets.UTF_8)));
        } catch (NumberFormatException e) {
            LOG.debugf("a publish on the delivery probe topic that is no probe: %d bytes", payload.length);
        }
        notDelivering = Optional.empty();
    }
}
