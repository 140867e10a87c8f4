package io.mqttbackends.runtime.testing;

import io.mqttbackends.model.DatabaseKind;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * EMQX 4.4's default {@code emqx_backend_<db>.conf} of a database, unchanged: model's test resources, which the
 * runtime's build copies onto its test class path.
 */
public final class EmqxDefaultConf {
    private EmqxDefaultConf() {
    }

    /** The file of {@code kind}, e.g. {@code conf/emqx_backend_mysql.conf}. */
    public static Path path(DatabaseKind kind) {
        String name = "/conf/emqx_backend_" + kind.hookPrefix() + ".conf";
        URL url = EmqxDefaultConf.class.getResource(name);
        if (url == null) {
            throw new IllegalStateException(name + " is not on the test class path: see testResources in runtime/pom.xml");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
