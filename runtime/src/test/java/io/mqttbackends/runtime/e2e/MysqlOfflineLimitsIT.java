package io.mqttbackends.runtime.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** Offline fetch limits on MariaDB (MySQL protocol). */
@QuarkusTest
@QuarkusTestResource(value = SqlE2eResource.class, restrictToAnnotatedClass = true, initArgs = {
    @ResourceArg(name = "database", value = "mysql"),
    @ResourceArg(name = "offline-opts", value = SqlOfflineLimitsContract.OFFLINE_OPTS)})
class MysqlOfflineLimitsIT extends SqlOfflineLimitsContract {
}
