package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.DatabaseTlsContract;
import io.mqttbackends.runtime.testing.PrivateMariadb;
import io.mqttbackends.runtime.testing.TlsTestFiles.ServerCertificate;
import io.vertx.mutiny.core.Vertx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * MySQL TLS against a private MariaDB whose user must log in over TLS with a password: {@code ssl-mode
 * VERIFY_IDENTITY} unless {@code verify = false}.
 */
class MysqlTlsIT extends DatabaseTlsContract {
    private static PrivateMariadb server;

    @BeforeAll
    static void startServer() {
        server = keepForClass(PrivateMariadb.start(tlsFiles(), ServerCertificate.OTHER_HOST));
        server.sql("CREATE TABLE " + PrivateMariadb.DATABASE + ".tls_log (clientid varchar(200))");
    }

    @Override
    protected DatabaseKind kind() {
        return DatabaseKind.MYSQL;
    }

    @Override
    protected Backend backend(Vertx vertx) {
        return new MysqlBackend(vertx);
    }

    @Override
    protected void serve(ServerCertificate which) {
        server.serve(which);
    }

    @Override
    protected Map<String, String> serverSettings() {
        return Map.of("server", address(), "user", PrivateMariadb.USER, "password", server.password(),
                "database", PrivateMariadb.DATABASE);
    }

    @Override
    protected ActionSpec.Statements recordClientid() {
        return new ActionSpec.Statements(ActionSpec.Language.SQL,
                List.of("insert into tls_log (clientid) values (${clientid})"), false);
    }

    @Override
    protected boolean recorded(String clientid) {
        return server.sql("SELECT count(*) FROM " + PrivateMariadb.DATABASE + ".tls_log WHERE clientid = '"
                + clientid + "'").equals("1");
    }

    @Override
    protected String address() {
        return "localhost:" + server.port();
    }
}
