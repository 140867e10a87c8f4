package io.mqttbackends.runtime.backend.redis;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.DatabaseTlsContract;
import io.mqttbackends.runtime.testing.FreePort;
import io.mqttbackends.runtime.testing.RedisServer;
import io.mqttbackends.runtime.testing.TlsTestFiles;
import io.mqttbackends.runtime.testing.TlsTestFiles.ServerCertificate;
import io.vertx.mutiny.core.Vertx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * Redis TLS against a private {@code redis-server} with a TLS port ({@code --tls-port}, no client certificates asked);
 * the plain port, which the pools never use, serves the test's inspection and the certificate changes
 * ({@code CONFIG SET tls-cert-file}). Certificate and host name verified unless {@code verify = false}.
 */
class RedisTlsIT extends DatabaseTlsContract {
    private static RedisServer server;
    private static int tlsPort;

    @BeforeAll
    static void startServer() {
        TlsTestFiles tls = tlsFiles();
        tlsPort = FreePort.find();
        server = keepForClass(RedisServer.start("--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", tls.certificate(ServerCertificate.OTHER_HOST).toString(),
                "--tls-key-file", tls.key(ServerCertificate.OTHER_HOST).toString(),
                "--tls-ca-cert-file", tls.ca().toString(), "--tls-auth-clients", "no"));
        TlsTestFiles.awaitServed(tlsPort, "", ServerCertificate.OTHER_HOST);
    }

    @Override
    protected DatabaseKind kind() {
        return DatabaseKind.REDIS;
    }

    @Override
    protected Backend backend(Vertx vertx) {
        return new RedisBackend(vertx);
    }

    @Override
    protected void serve(ServerCertificate which) {
        server.cli("CONFIG", "SET", "tls-cert-file", tlsFiles().certificate(which).toString(),
                "tls-key-file", tlsFiles().key(which).toString());
        TlsTestFiles.awaitServed(tlsPort, "", which);
    }

    @Override
    protected Map<String, String> serverSettings() {
        return Map.of("server", address(), "type", "single");
    }

    @Override
    protected ActionSpec.Statements recordClientid() {
        return new ActionSpec.Statements(ActionSpec.Language.COMMANDS, List.of("SET tls:${clientid} 1"), false);
    }

    @Override
    protected boolean recorded(String clientid) {
        return server.cli("EXISTS", "tls:" + clientid).strip().equals("1");
    }

    @Override
    protected String address() {
        return "localhost:" + tlsPort;
    }
}
