package io.mqttbackends.runtime.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** Offline fetch limits on PostgreSQL. */
@QuarkusTest
@QuarkusTestResource(value = SqlE2eResource.class, restrictToAnnotatedClass = true, initArgs = {
    @ResourceArg(name = "database", value = "pgsql"),
    @ResourceArg(name = "offline-opts", value = SqlOfflineLimitsContract.OFFLINE_OPTS)})
class PgsqlOfflineLimitsIT extends SqlOfflineLimitsContract {
}
