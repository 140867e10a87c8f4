package io.mqttbackends.runtime.e2e;

import com.datastax.oss.driver.api.core.cql.Row;
import io.mqttbackends.runtime.testing.CassandraTestKeyspace;
import io.mqttbackends.runtime.testing.DeadLetterWatcher;
import io.mqttbackends.runtime.testing.RecordingHttpServer;
import io.mqttbackends.runtime.testing.TcpProxy;
import io.mqttbackends.runtime.testing.TestCassandra;
import io.mqttbackends.runtime.testing.TestMqtt;
import java.util.List;

/**
 * What a Cassandra end-to-end test class runs against, made by {@link CassandraE2eResource}: the keyspace of both
 * pools (EMQX's tables and {@code hook_log}), the MQTT topics the runtime consumes, the broker, the proxy in front of
 * Cassandra when asked for, and the EMQX REST API stand-in.
 */
public final class CassandraE2eRig implements E2eRig {
    private final String prefix;
    private final CassandraTestKeyspace keyspace;
    private final int brokerPort;
    private final TcpProxy proxy;
    private final RecordingHttpServer emqxApi;
    private final String runtimeClientId;

    CassandraE2eRig(String prefix, CassandraTestKeyspace keyspace, int brokerPort, TcpProxy proxy,
            RecordingHttpServer emqxApi, String runtimeClientId) {
        this.prefix = prefix;
        this.keyspace = keyspace;
        this.brokerPort = brokerPort;
        this.proxy = proxy;
        this.emqxApi = emqxApi;
        this.runtimeClientId = runtimeClientId;
    }

    /** Plain publishes ({@code raw} ingest) go below this topic level; the {@code cql} hooks log these topics. */
    public String raw() {
        return prefix;
    }

    /** EMQX rule-engine events ({@code emqx-rule} ingest) go below this topic level. */
    @Override
    public String rulePrefix() {
        return prefix + "-events";
    }

    /** Where the runtime publishes what it gives up on (on the rig's broker). */
    public String deadLetterTopic() {
        return prefix + "-dead-letter";
    }

    /** Watches {@link #deadLetterTopic()} from now on. */
    public DeadLetterWatcher deadLetters() {
        return new DeadLetterWatcher(TestMqtt.HOST, brokerPort, deadLetterTopic());
    }

    /** {@code keyspace.table}. */
    public String table(String table) {
        return keyspace.table(table);
    }

    /** Rows of a query through a plain driver session; {@code %s} in {@code cql} stands for the keyspace. */
    public List<Row> rows(String cql, Object... values) {
        return TestCassandra.rows(cql.replace("%s.", keyspace.name() + "."), values);
    }

    /** Runs a statement through a plain driver session; {@code %s.} stands for the keyspace. */
    public void execute(String cql, Object... values) {
        TestCassandra.execute(cql.replace("%s.", keyspace.name() + "."), values);
    }

    /** A real MQTT client on the broker the runtime reads. */
    @Override
    public TestMqtt mqtt(String clientIdPrefix) {
        return new TestMqtt(clientIdPrefix, brokerPort);
    }

    /** The proxy in front of Cassandra; fails when the resource was not asked for one ({@code proxy=true}). */
    public TcpProxy proxy() {
        if (proxy == null) {
            throw new IllegalStateException("this rig has no proxy in front of Cassandra: ask for proxy=true");
        }
        return proxy;
    }

    public RecordingHttpServer emqxApi() {
        return emqxApi;
    }

    @Override
    public String runtimeClientId() {
        return runtimeClientId;
    }
}
