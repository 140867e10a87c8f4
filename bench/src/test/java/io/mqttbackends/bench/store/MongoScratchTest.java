package io.mqttbackends.bench.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ConnectionString;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MongoScratchTest {

    @Test
    void standInGetsASinglePoolWithSchemaInitAndThePublishHook() {
        String conf = conf("mongodb://127.0.0.1:27999", "mqttbackends_bench_1");

        assertThat(conf).contains("backend.mongo.pool1.type = single\n", "backend.mongo.pool1.srv_record = false\n",
                "backend.mongo.pool1.server = 127.0.0.1:27999\n", "backend.mongo.pool1.c_pool_size = 8\n",
                "backend.mongo.pool1.database = mqttbackends_bench_1\n", "backend.mongo.pool1.ssl = false\n",
                "backend.mongo.pool1.w_mode = safe\n", "backend.mongo.pool1.schema.init = true\n",
                "backend.mongo.hook.message.publish.1 = {\"topic\": \"#\", \"action\": {\"function\":"
                        + " \"on_message_publish\"}, \"pool\": \"pool1\"}\n")
                .doesNotContain("login", "password", "rs_set_name");
    }

    @Test
    void replicaSetUriGivesServersSetNameCredentialsAndTls() {
        String conf = conf("mongodb://bench:p%40ss@db1:27017,db2:27018/?replicaSet=rs0&authSource=admin&tls=true",
                "x");

        assertThat(conf).contains("backend.mongo.pool1.type = rs\n", "backend.mongo.pool1.rs_set_name = rs0\n",
                "backend.mongo.pool1.server = db1:27017,db2:27018\n", "backend.mongo.pool1.login = bench\n",
                "backend.mongo.pool1.password = p@ss\n", "backend.mongo.pool1.auth_source = admin\n",
                "backend.mongo.pool1.ssl = true\n");
    }

    private static String conf(String uri, String database) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MongoScratch.poolConf(new ConnectionString(uri), database, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
