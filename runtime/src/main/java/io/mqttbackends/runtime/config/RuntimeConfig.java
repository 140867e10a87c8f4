package io.mqttbackends.runtime.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The runtime's own settings (not the EMQX conf files): where the conf lives, the broker, ingestion, broker control
 * and retries. Every key can be given as an environment variable, e.g. {@code MQTTBACKENDS_MQTT_HOST}.
 */
@ConfigMapping(prefix = "mqttbackends")
public interface RuntimeConfig {

    /** Directories holding the EMQX-style {@code *.conf} files, comma-separated ({@code MQTTBACKENDS_CONF_DIR}). */
    @WithName("conf-dir")
    List<String> confDirs();

    /** Node name bound to {@code ${node}} and written by {@code on_client_connected} when the event has none. */
    @WithDefault("mqttbackends@127.0.0.1")
    String node();

    Mqtt mqtt();

    Ingest ingest();

    @WithName("broker-control")
    BrokerControl brokerControl();

    Retry retry();

    Pipeline pipeline();

    @WithName("dead-letter")
    DeadLetter deadLetter();

    Reload reload();

    /** The MQTT 5 connection the runtime consumes events on and publishes replays with. */
    interface Mqtt {
        @WithDefault("localhost")
        String host();

        @WithDefault("1883")
        int port();

        /** Client id of the persistent session; keep it stable across restarts so the broker keeps the backlog. */
        @WithName("client-id")
        @WithDefault("mqttbackends-runtime")
        String clientId();

        Optional<String> username();

        /** The broker password ({@code MQTTBACKENDS_MQTT_PASSWORD}); never logged. Exclusive with the file. */
        Optional<String> password();

        /**
         * A file holding the broker password (a mounted Secret), read once at start; one trailing line break is
         * stripped. Exclusive with {@code password}.
         */
        @WithName("password-file")
        Optional<Path> passwordFile();

        /**
         * Name of a Quarkus TLS configuration ({@code quarkus.tls.<name>.*}: trust store, key store for a client
         * certificate, protocols) to connect to the broker over TLS with. Unset means plain TCP. The server's host
         * name is verified unless that configuration sets {@code hostname-verification-algorithm=NONE}.
         */
        @WithName("tls-configuration-name")
        Optional<String> tlsConfigurationName();

        /** How long the broker keeps the session (and queued events) while the runtime is away. */
        @WithName("session-expiry")
        @WithDefault("PT24H")
        Duration sessionExpiry();

        /**
         * Unacked QoS 1 events the broker may have in flight to us (MQTT 5 Receive Maximum). The default is MQTT's
         * own maximum: Mosquitto 2.0 ignores a client's Receive Maximum and sends up to its
         * {@code max_inflight_messages}, and a broker exceeding the declared value is a protocol error on which the
         * client disconnects and the broker redelivers (duplicates). Lower it only for brokers that honour it.
         */
        @WithName("receive-maximum")
        @WithDefault("65535")
        int receiveMaximum();

        /** Shared-subscription group; empty means plain (non-shared) subscriptions. */
        @WithName("share-group")
        Optional<String> shareGroup();

        @WithName("keep-alive")
        @WithDefault("30")
        int keepAliveSeconds();

        /**
         * The largest MQTT packet the runtime accepts, declared to the broker in CONNECT (MQTT 5 Maximum Packet Size):
         * the broker discards a larger publish for this session instead of sending it, so it is never stored and
         * never counted here. What the broker has in flight to the runtime (its window: Receive Maximum, Mosquitto's
         * {@code max_inflight_messages}, EMQX's {@code max_inflight}) sits in the client's memory before the pipeline
         * takes it, so the window times this is what the heap must hold on top of the pipeline: 2 MiB carries every
         * payload EMQX accepts by default ({@code max_packet_size} 1 MiB) even inside an {@code emqx-rule} event,
         * where the payload is base64 in JSON, and 20 (Mosquitto) or 32 (EMQX) of them fit in the shipped 128 MB
         * heap.
         * Set the broker's limit (Mosquitto {@code message_size_limit}, EMQX {@code max_packet_size}) below it, so a
         * larger publish is refused to its publisher instead: Mosquitto 2.0.11 keeps counting a publish it dropped for
         * a session in that session's window, and stops delivering to it after {@code max_inflight_messages} such
         * drops, until it reconnects.
         */
        @WithName("maximum-packet-size")
        @WithDefault("2M")
        MemorySize maximumPacketSize();

        /**
         * How often the runtime publishes a delivery probe, a small QoS 1 message to {@code mqttbackends/probe/<client
         * id>}, a topic only its own session subscribes to, to prove the broker still delivers to it. A broker can stop
         * feeding a session whose connection stays up (Mosquitto 2.0.11 after {@code max_inflight_messages} publishes
         * it dropped as larger than {@link #maximumPacketSize()}); nothing else would show it. {@code PT0S} disables
         * the probe (and its subscription). The runtime's broker user needs publish and subscribe on
         * {@code mqttbackends/probe/#}.
         */
        @WithName("delivery-probe-interval")
        @WithDefault("PT15S")
        Duration deliveryProbeInterval();

        /**
         * How long a delivery probe may take to come back, counted from the oldest one outstanding while the runtime
         * holds no un-acked event (a full pipeline legitimately fills the broker's window). Past it, readiness goes
         * DOWN and the session is re-established (same session, so nothing is lost).
         */
        @WithName("delivery-probe-timeout")
        @WithDefault("PT30S")
        Duration deliveryProbeTimeout();
    }

    /** Which ingestion formats are on and which topic filters each consumes. */
    interface Ingest {
        @WithName("emqx-rule")
        Format emqxRule();

        @WithName("emqx-sys")
        Format emqxSys();

        Format raw();

        /**
         * Shared secret that every {@code emqx-rule} event publish must carry as the MQTT 5 user property
         * {@code mqttbackends-token} (the EMQX republish action sets it); one without it or with another value is
         * refused and counted. With a token set, the runtime also signs its own publishes, so that only they are
         * recognised as its replays. At least 16 characters. Unset: no check (the broker's access rules alone
         * protect the events topics).
         */
        Optional<String> token();

        /** A file holding the token (surrounding white space ignored), instead of {@link #token()}. */
        @WithName("token-file")
        Optional<Path> tokenFile();

        /**
         * The largest message payload stored: the MQTT payload of a {@code raw} publish, the decoded {@code payload}
         * field of an {@code emqx-rule} message event. A larger one is refused: counted in
         * {@code mqttbackends_events_rejected_total{reason="payload-too-large"}}, logged once per topic, acked and
         * reported on the dead-letter topic with its size instead of its payload. Must be below
         * {@code mqttbackends.mqtt.maximum-packet-size}, which bounds the whole packet (topic, properties and, for
         * emqx-rule, the JSON around the payload), so that there is a size band the runtime refuses visibly.
         */
        @WithName("max-payload-size")
        @WithDefault("1M")
        MemorySize maxPayloadSize();
    }

    interface Format {
        @WithDefault("true")
        boolean enabled();

        /**
         * Topic filters. Defaults: {@code mqttbackends/events/#} (emqx-rule), {@code $SYS/brokers/+/clients/#}
         * (emqx-sys), {@code #} (raw; topics of the other formats are excluded from it).
         */
        Optional<List<String>> topics();
    }

    interface BrokerControl {
        /** {@code mqtt}: replays by publishing; {@code emqx}: also subscribes clients through the EMQX 5 REST API. */
        @WithDefault("mqtt")
        BrokerControlType type();

        /** EMQX 5 API base URL, e.g. {@code https://emqx:18084}; {@code http://} to a non-loopback host is a WARN. */
        @WithName("emqx.url")
        Optional<String> emqxUrl();

        @WithName("emqx.api-key")
        Optional<String> emqxApiKey();

        @WithName("emqx.api-secret")
        Optional<String> emqxApiSecret();

        /**
         * Whether server-side subscriptions (subscribe lookups, Redis control channel) may use filters matching every
         * topic ({@code #}, {@code +/#}, ...) and {@code $}-topics ({@code $SYS/...}). Off: such a subscription is
         * refused, logged and counted, and the client's other subscriptions still apply.
         */
        @WithName("allow-wildcard-subscriptions")
        @WithDefault("false")
        boolean allowWildcardSubscriptions();

        /** A file holding the API secret (a mounted Secret), exclusive with {@code emqx.api-secret}. */
        @WithName("emqx.api-secret-file")
        Optional<Path> emqxApiSecretFile();

        /**
         * Name of a Quarkus TLS configuration ({@code quarkus.tls.<name>.*}) for an {@code https://} API URL: a
         * custom CA, a client certificate. Unset means the JVM's default trust. The host name is verified unless
         * that configuration sets {@code hostname-verification-algorithm=NONE}.
         */
        @WithName("emqx.tls-configuration-name")
        Optional<String> emqxTlsConfigurationName();
    }

    enum BrokerControlType { MQTT, EMQX }

    /** Retries of a failing action before the event is given up (transient database failures retry forever). */
    interface Retry {
        @WithName("max-attempts")
        @WithDefault("5")
        int maxAttempts();

        @WithName("initial-backoff")
        @WithDefault("PT0.1S")
        Duration initialBackoff();

        @WithName("max-backoff")
        @WithDefault("PT10S")
        Duration maxBackoff();
    }

    /** How many events the runtime works on at once. */
    interface Pipeline {
        /**
         * Events taken from the broker and not yet acked, at most. Past it the runtime stops reading, so a slow
         * database pushes back on the broker instead of growing memory; it also bounds how large batches grow.
         * Everything in flight survives young collections, so the bound is also the garbage collector's work: with
         * the benchmark command, 4096 cost 9-12 µs of GC per message and 1024 about 3, at a higher throughput.
         */
        @WithName("max-in-flight")
        @WithDefault("1024")
        int maxInFlight();

        /**
         * Payload bytes of the events taken from the broker and not yet acked, at most: past it the runtime stops
         * taking events until some settle. One event larger than this still goes through, alone. The heap holds
         * about three copies of what is in flight (the client's publish, the decoded event, the database's encoding
         * of a batch), so the 8 MiB default stays within the shipped 128 MB heap next to the broker's window of
         * packets not yet taken ({@code mqttbackends.mqtt.maximum-packet-size}).
         */
        @WithName("max-in-flight-bytes")
        @WithDefault("8M")
        MemorySize maxInFlightBytes();

        /**
         * An event taken and not acked for longer than this, while every pool answers its ping, means a stalled
         * partition (a batch stuck on a lock, a hung statement): readiness turns DOWN with the reason until it
         * settles. The age of the oldest such event is the gauge {@code mqttbackends_pipeline_oldest_unsettled_seconds}.
         */
        @WithName("stall-timeout")
        @WithDefault("PT2M")
        Duration stallTimeout();

        /**
         * At shutdown (SIGTERM), how long the runtime keeps finishing the events it already took, and acking them,
         * before it disconnects: events stored but not acked would be delivered and stored again after a restart.
         */
        @WithName("drain-timeout")
        @WithDefault("PT10S")
        Duration drainTimeout();
    }

    /** Where an action that failed for good (after its retries, alone in its batch) is reported. */
    interface DeadLetter {
        /** Publish a JSON record of each such action (hook line, error, the event with its payload) over MQTT. */
        @WithDefault("true")
        boolean enabled();

        /** The topic of those records (QoS 1, marked as the runtime's own, so they are never stored again). */
        @WithDefault("mqttbackends/dead-letter")
        String topic();
    }

    /** Hot reload of the conf directories. */
    interface Reload {
        /** Watch the conf directories and apply valid changes while running. */
        @WithDefault("true")
        boolean enabled();

        /**
         * How often the conf files are read and hashed. A change is applied once the same hash is read twice in a
         * row, so a set of files still being written is not loaded half-way.
         */
        @WithDefault("PT2S")
        Duration interval();
    }
}
