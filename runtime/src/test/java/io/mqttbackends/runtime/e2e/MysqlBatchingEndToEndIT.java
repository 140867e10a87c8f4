package io.mqttbackends.runtime.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** Batching, ordered parallelism, back-pressure and dead letters on MariaDB (MySQL protocol). */
@QuarkusTest
@QuarkusTestResource(value = SqlE2eResource.class, restrictToAnnotatedClass = true, initArgs = {
    @ResourceArg(name = "database", value = "mysql"),
    @ResourceArg(name = "mqttbackends.pipeline.max-in-flight", value = SqlBatchingContract.MAX_IN_FLIGHT),
    @ResourceArg(name = "mqttbackends.dead-letter.topic", value = MysqlBatchingEndToEndIT.DEAD_LETTERS),
    @ResourceArg(name = "mqttbackends.retry.max-attempts", value = "2")})
class MysqlBatchingEndToEndIT extends SqlBatchingContract {
    static final String DEAD_LETTERS = "mysql-e2e-dead-letters/batching";

    /** MySQL (strict mode) refuses bytes that are not UTF-8 in a utf8mb4 text column. */
    MysqlBatchingEndToEndIT() {
        super(DEAD_LETTERS, new byte[] {'b', 'a', 'd', (byte) 0xff, 'x'});
    }
}
