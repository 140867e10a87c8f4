package io.mqttbackends.runtime.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** The end-to-end behaviours on MariaDB (MySQL protocol), driven by EMQX's default {@code emqx_backend_mysql.conf}. */
@QuarkusTest
@QuarkusTestResource(value = SqlE2eResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "database", value = "mysql"))
class MysqlEndToEndIT extends SqlEndToEndContract {
}
