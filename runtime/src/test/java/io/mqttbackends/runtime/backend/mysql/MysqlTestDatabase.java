package io.mqttbackends.runtime.backend.mysql;

import io.mqttbackends.runtime.backend.Backend;
import io.mqttbackends.runtime.backend.sql.SqlBackendTestSupport;
import io.mqttbackends.model.DatabaseKind;
import io.mqttbackends.runtime.testing.TestMysql;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.mysqlclient.MySQLBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import java.util.Map;

/** The real MariaDB on 127.0.0.1:3306 (root, no password) and a database of the backend tests' own. */
final class MysqlTestDatabase implements SqlBackendTestSupport.Database {
    static final String DATABASE = "mqttbackends_mysql_it";

    /**
     * EMQX 4.4's own DDL for emqx_backend_mysql (spec §2.3, the English documentation's): utf8, {@code payload blob},
     * {@code arrived datetime} in seconds, {@code mqtt_retain.arrived timestamp}, int ids.
     */
    static final String[] EMQX_DDL = {
        """
        CREATE TABLE mqtt_client (id int(11) unsigned NOT NULL AUTO_INCREMENT, clientid varchar(64) DEFAULT NULL,
          state varchar(3) DEFAULT NULL, node varchar(100) DEFAULT NULL, online_at datetime DEFAULT NULL,
          offline_at datetime DEFAULT NULL, created timestamp NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (id),
          KEY mqtt_client_idx (clientid), UNIQUE KEY mqtt_client_key (clientid)) ENGINE=InnoDB DEFAULT CHARSET=utf8""",
        """
        CREATE TABLE mqtt_sub (id int(11) unsigned NOT NULL AUTO_INCREMENT, clientid varchar(64) DEFAULT NULL,
          topic varchar(255) DEFAULT NULL, qos int(3) DEFAULT NULL, created timestamp NULL DEFAULT CURRENT_TIMESTAMP,
          PRIMARY KEY (id), KEY mqtt_sub_idx (clientid, topic(255), qos), UNIQUE KEY mqtt_sub_key (clientid, topic))
          ENGINE=InnoDB DEFAULT CHARSET=utf8""",
        """
        CREATE TABLE mqtt_msg (id int(11) unsigned NOT NULL AUTO_INCREMENT, msgid varchar(100) DEFAULT NULL,
          topic varchar(1024) NOT NULL, sender varchar(1024) DEFAULT NULL, node varchar(60) DEFAULT NULL,
          qos int(11) NOT NULL DEFAULT '0', retain tinyint(2) DEFAULT NULL, payload blob, arrived datetime NOT NULL,
          PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8""",
        """
        CREATE TABLE mqtt_retain (id int(11) unsigned NOT NULL AUTO_INCREMENT, topic varchar(200) DEFAULT NULL,
          msgid varchar(60) DEFAULT NULL, sender varchar(100) DEFAULT NULL, node varchar(100) DEFAULT NULL,
          qos int(2) DEFAULT NULL, payload blob, arrived timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
          PRIMARY KEY (id), UNIQUE KEY mqtt_retain_key (topic)) ENGINE=InnoDB DEFAULT CHARSET=utf8""",
        """
        CREATE TABLE mqtt_acked (id int(11) unsigned NOT NULL AUTO_INCREMENT, clientid varchar(200) DEFAULT NULL,
          topic varchar(200) DEFAULT NULL, mid int(200) DEFAULT NULL, created timestamp NULL DEFAULT NULL,
          PRIMARY KEY (id), UNIQUE KEY mqtt_acked_key (clientid, topic)) ENGINE=InnoDB DEFAULT CHARSET=utf8"""
    };

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.MYSQL;
    }

    @Override
    public Pool openInspectionPool(Vertx vertx) {
        TestMysql.createDatabase(DATABASE);
        return MySQLBuilder.pool().connectingTo(TestMysql.options(DATABASE)).using(vertx).build();
    }

    @Override
    public Backend newBackend(Vertx vertx) {
        return new MysqlBackend(vertx);
    }

    @Override
    public Map<String, String> poolSettings() {
        return Map.of("server", TestMysql.HOST + ":" + TestMysql.PORT, "pool_size", "4", "user", "root",
                "password", "", "database", DATABASE, "ssl", "false", "cacertfile", "", "certfile", "",
                "keyfile", "", "verify", "false");
    }

    @Override
    public String arrivedMillis() {
        return "CAST(UNIX_TIMESTAMP(arrived) * 1000 AS SIGNED)";
    }

    @Override
    public boolean numberedMarkers() {
        return false;
    }

    @Override
    public String binaryType() {
        return "blob";
    }

    @Override
    public String timestampType() {
        return "datetime";
    }

    @Override
    public String fromEpochSeconds() {
        return "FROM_UNIXTIME";
    }
}
