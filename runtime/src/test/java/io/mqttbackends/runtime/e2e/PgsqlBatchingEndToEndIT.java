package io.mqttbackends.runtime.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** Batching, ordered parallelism, back-pressure and dead letters on PostgreSQL. */
@QuarkusTest
@QuarkusTestResource(value = SqlE2eResource.class, restrictToAnnotatedClass = true, initArgs = {
    @ResourceArg(name = "database", value = "pgsql"),
    @ResourceArg(name = "mqttbackends.pipeline.max-in-flight", value = SqlBatchingContract.MAX_IN_FLIGHT),
    @ResourceArg(name = "mqttbackends.dead-letter.topic", value = PgsqlBatchingEndToEndIT.DEAD_LETTERS),
    @ResourceArg(name = "mqttbackends.retry.max-attempts", value = "2")})
class PgsqlBatchingEndToEndIT extends SqlBatchingContract {
    static final String DEAD_LETTERS = "pgsql-e2e-dead-letters/batching";

    /** PostgreSQL refuses a NUL byte in text. */
    PgsqlBatchingEndToEndIT() {
        super(DEAD_LETTERS, new byte[] {'b', 'a', 'd', 0, 'x'});
    }
}
