package io.mqttbackends.runtime.e2e;

import static io.restassured.RestAssured.given;

import io.mqttbackends.model.conf.ConfLoader;
import io.mqttbackends.runtime.testing.KubernetesVolume;
import io.mqttbackends.runtime.testing.PgsqlTestDatabase;
import io.mqttbackends.runtime.testing.TcpProxy;
import io.mqttbackends.runtime.testing.TestPostgres;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reload tests' handle on the running runtime's configuration, laid out as the operator's Deployment mounts it:
 * a ConfigMap volume with {@code backends.conf} and a Secret volume with {@code credentials.conf}, both updated by
 * an atomic {@code ..data} swap. Also reads the runtime's config endpoint and metrics.
 */
public final class ReloadConf {
    static final String CONFIG_PATH = "/q/mqttbackends/config";

    final PgsqlTestDatabase database;
    final String prefix;
    final TcpProxy proxy;
    final KubernetesVolume conf;
    final KubernetesVolume credentials;

    ReloadConf(PgsqlTestDatabase database, String prefix, TcpProxy proxy, KubernetesVolume conf,
            KubernetesVolume credentials) {
        this.database = database;
        this.prefix = prefix;
        this.proxy = proxy;
        this.conf = conf;
        this.credentials = credentials;
    }

    /** Pool lines (without password) for {@code name} at {@code port}. */
    String pool(String name, int port, boolean schemaInit) {
        String p = "backend.pgsql." + name + ".";
        return p + "server = 127.0.0.1:" + port + "\n" + p + "username = postgres\n" + p + "database = " + database.name()
                + "\n" + (schemaInit ? p + "schema.init = true\n" : "");
    }

    /** A message.publish hook on {@code <prefix>/<sub>/#} running the built-in {@code on_message_publish}. */
    String storeHook(int n, String sub, String pool) {
        return "backend.pgsql.hook.message.publish." + n + " = {\"topic\": \"" + prefix + "/" + sub + "/#\", "
                + "\"action\": {\"function\": \"on_message_publish\"}, \"pool\": \"" + pool + "\"}\n";
    }

    /** A message.publish hook on {@code <prefix>/<sub>/#} logging the message into {@code reload_log} with a tag. */
    String logHook(int n, String sub, String pool, String tag) {
        return "backend.pgsql.hook.message.publish." + n + " = {\"topic\": \"" + prefix + "/" + sub + "/#\", "
                + "\"action\": {\"sql\": [\"insert into reload_log (tag, topic, msgid, payload) values ('" + tag
                + "', ${topic}, ${msgid}, ${payload})\"]}, \"pool\": \"" + pool + "\"}\n";
    }

    /** Swaps both volumes: {@code backendsConf} as the ConfigMap, an (empty) password per pool as the Secret. */
    void write(String backendsConf, String... pools) {
        StringBuilder secrets = new StringBuilder();
        for (String pool : pools) {
            secrets.append("backend.pgsql.").append(pool).append(".password = \n");
        }
        credentials.write(Map.of("credentials.conf", secrets.toString()));
        conf.write(Map.of("backends.conf", backendsConf));
    }

    /** The ConfHash of what the volumes hold now, computed as the runtime computes it. */
    String hash() {
        return ConfLoader.read(List.of(conf.dir(), credentials.dir())).hash();
    }

    static JsonPath endpoint() {
        return given().get(CONFIG_PATH).then().statusCode(200).contentType("application/json").extract().jsonPath();
    }

    /**
     * The sum of the Prometheus samples of {@code name} whose labels contain {@code label} (every sample for an empty
     * label), or empty when there is none.
     */
    static Optional<Double> metric(String name, String label) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(body);
        Optional<Double> sum = Optional.empty();
        while (m.find()) {
            if (label.isEmpty() || (m.group(1) != null && m.group(1).contains(label))) {
                sum = Optional.of(sum.orElse(0.0) + Double.parseDouble(m.group(2)));
            }
        }
        return sum;
    }

    /** A connection to the test's database. */
    TestPostgres db() {
        return database.connect();
    }
}
