package io.mqttbackends.bench.store;

import com.mongodb.ConnectionString;
import com.mongodb.MongoCredential;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.io.PrintStream;
import java.util.Optional;

/**
 * The benchmark's scratch database on the run's MongoDB ({@value MongoStore#URI_VARIABLE}), for
 * {@code src/bench/run.sh --db mongo}, which has no MongoDB shell to do this with:
 * <ul>
 * <li>{@code conf DATABASE}: prints the runtime's conf for a mongo pool {@code pool1} on that database (servers,
 * replica set, credentials and TLS taken from the connection string; {@code schema.init = true}) with EMQX's
 * default {@code on_message_publish} hook line on {@code #};</li>
 * <li>{@code drop DATABASE}: drops the database (at the end of a run against a real MongoDB).</li>
 * </ul>
 */
public final class MongoScratch {
    private MongoScratch() {
    }

    public static void main(String[] args) {
        if (args.length != 2 || !(args[0].equals("conf") || args[0].equals("drop"))) {
            System.err.println("usage: MongoScratch conf|drop DATABASE   (the server: " + MongoStore.URI_VARIABLE
                    + ", a mongodb:// connection string)");
            System.exit(2);
        }
        String uri = System.getenv(MongoStore.URI_VARIABLE);
        if (uri == null || uri.isBlank()) {
            System.err.println("MongoScratch: " + MongoStore.URI_VARIABLE + " is not set");
            System.exit(2);
        }
        ConnectionString connection;
        try {
            connection = new ConnectionString(uri);
        } catch (IllegalArgumentException e) {
            // the driver's message names the problem; the string itself may hold a password
            System.err.println("MongoScratch: " + MongoStore.URI_VARIABLE + " is not a MongoDB connection string: "
                    + e.getMessage());
            System.exit(2);
            return;
        }
        if (args[0].equals("conf")) {
            poolConf(connection, args[1], System.out);
        } else {
            try (MongoClient client = MongoClients.create(connection)) {
                client.getDatabase(args[1]).drop();
            }
        }
    }

    /** The runtime's conf lines (EMQX's key names, the MongoDB contract) for pool {@code pool1}. */
    static void poolConf(ConnectionString c, String database, PrintStream out) {
        String type = c.getRequiredReplicaSetName() != null ? "rs" : c.getHosts().size() == 1 ? "single" : "unknown";
        String prefix = "backend.mongo.pool1.";
        out.println(prefix + "type = " + type);
        out.println(prefix + "srv_record = " + c.isSrvProtocol());
        Optional.ofNullable(c.getRequiredReplicaSetName()).ifPresent(rs -> out.println(prefix + "rs_set_name = " + rs));
        out.println(prefix + "server = " + String.join(",", c.getHosts()));
        out.println(prefix + "c_pool_size = 8");
        out.println(prefix + "database = " + database);
        MongoCredential credential = c.getCredential();
        if (credential != null && credential.getUserName() != null) {
            out.println(prefix + "login = " + credential.getUserName());
            if (credential.getPassword() != null) {
                out.println(prefix + "password = " + new String(credential.getPassword()));
            }
            out.println(prefix + "auth_source = " + credential.getSource());
        }
        out.println(prefix + "ssl = " + Boolean.TRUE.equals(c.getSslEnabled()));
        out.println(prefix + "w_mode = safe");
        out.println(prefix + "schema.init = true");
        out.println("backend.mongo.hook.message.publish.1 = "
                + "{\"topic\": \"#\", \"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"pool1\"}");
    }
}
