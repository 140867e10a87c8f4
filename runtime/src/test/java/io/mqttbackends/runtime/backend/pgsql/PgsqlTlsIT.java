package io.mqttbackends.runtime.backend.pgsql;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.DatabaseTlsContract;
import io.mqttbackends.runtime.testing.PrivatePostgres;
import io.mqttbackends.runtime.testing.TlsTestFiles.ServerCertificate;
import io.vertx.mutiny.core.Vertx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * PostgreSQL TLS against a private PostgreSQL 15 that takes TLS connections only and checks the password
 * (scram-sha-256): {@code sslmode=verify-full} unless {@code verify = false}.
 */
class PgsqlTlsIT extends DatabaseTlsContract {
    private static PrivatePostgres server;

    @BeforeAll
    static void startServer() {
        server = keepForClass(PrivatePostgres.start(tlsFiles(), ServerCertificate.OTHER_HOST));
        server.sql("CREATE TABLE tls_log (clientid text)");
    }

    @Override
    protected DatabaseKind kind() {
        return DatabaseKind.PGSQL;
    }

    @Override
    protected Backend backend(Vertx vertx) {
        return new PgsqlBackend(vertx);
    }

    @Override
    protected void serve(ServerCertificate which) {
        server.serve(which);
    }

    @Override
    protected Map<String, String> serverSettings() {
        return Map.of("server", address(), "username", PrivatePostgres.USER, "password", server.password(),
                "database", "postgres");
    }

    @Override
    protected ActionSpec.Statements recordClientid() {
        return new ActionSpec.Statements(ActionSpec.Language.SQL,
                List.of("insert into tls_log (clientid) values (${clientid})"), false);
    }

    @Override
    protected boolean recorded(String clientid) {
        return server.sql("SELECT count(*) FROM tls_log WHERE clientid = '" + clientid + "'").equals("1");
    }

    @Override
    protected String address() {
        return "localhost:" + server.port();
    }
}
