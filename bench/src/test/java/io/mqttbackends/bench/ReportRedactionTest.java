package io.mqttbackends.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReportRedactionTest {

    @Test
    void poolPasswordsAreNotKeptInTheReport() {
        String conf = """
                backend.mongo.pool1.login = bench
                backend.mongo.pool1.password = s3cret=x y
                backend.pgsql.pool1.password =
                backend.mongo.hook.message.publish.1 = {"topic": "#"}
                """;

        String kept = BenchMain.redactPasswords(conf);

        assertThat(kept).doesNotContain("s3cret").contains("backend.mongo.pool1.password = (redacted)\n",
                "backend.mongo.pool1.login = bench\n", "backend.pgsql.pool1.password =\n",
                "backend.mongo.hook.message.publish.1 = {\"topic\": \"#\"}");
    }
}
