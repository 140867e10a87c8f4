package io.mqttbackends.runtime.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** MariaDB (MySQL protocol) cut off at start and mid-run through a TCP proxy. */
@QuarkusTest
@QuarkusTestResource(value = SqlE2eResource.class, restrictToAnnotatedClass = true, initArgs = {
    @ResourceArg(name = "database", value = "mysql"),
    @ResourceArg(name = "start-down", value = "true")})
class MysqlOutageIT extends SqlOutageContract {
}
