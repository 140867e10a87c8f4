-- MQTT Backends: MySQL / MariaDB tables (schema.init runs this file; every statement is idempotent).
--
-- Tables, columns and unique keys are EMQX 4.4's emqx_backend_mysql ones in their utf8mb4 variant (EMQX's Chinese
-- 4.4 documentation), so existing queries keep working. Documented additions:
--   * payload is longblob: MQTT payloads are bytes, may not be UTF-8 and may be up to 256 MiB (the server's
--     max_allowed_packet bounds what it accepts). The backend also works on EMQX's own tables (payload blob).
--   * arrived is datetime(3): millisecond precision (EMQX: seconds). mqtt_retain.arrived is datetime(3) too
--     (EMQX: timestamp, which ends in 2038).
--   * mqtt_msg.id and mqtt_acked.mid are bigint unsigned: the id is the offline-fetch cursor and must not wrap.
--   * COLLATE utf8mb4_bin: MQTT topics and client ids are case-sensitive; EMQX's tables compare them without case.
--   * index mqtt_msg(topic, id) for the offline fetch (EMQX's topic_index), and a unique mqtt_msg(msgid) for the
--     ack's lookup of the stored row and so that a message the broker delivers again is stored once (tables
--     created before keep their plain index).
--   * index mqtt_msg(arrived) for the message retention (retention.max_age): each bounded delete reads the oldest
--     rows in index order instead of scanning and sorting the table; retention.max_per_topic uses topic_index. MySQL
--     has no CREATE INDEX IF NOT EXISTS, so a table created before gets it only from
--     ALTER TABLE mqtt_msg ADD INDEX arrived_index (arrived) run once by hand.

CREATE TABLE IF NOT EXISTS mqtt_client (
  id int(11) unsigned NOT NULL AUTO_INCREMENT,
  clientid varchar(64) DEFAULT NULL,
  state varchar(3) DEFAULT NULL,
  node varchar(64) DEFAULT NULL,
  online_at datetime DEFAULT NULL,
  offline_at datetime DEFAULT NULL,
  created timestamp NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY mqtt_client_idx (clientid),
  UNIQUE KEY mqtt_client_key (clientid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS mqtt_sub (
  id int(11) unsigned NOT NULL AUTO_INCREMENT,
  clientid varchar(64) DEFAULT NULL,
  topic varchar(180) DEFAULT NULL,
  qos tinyint(1) DEFAULT NULL,
  created timestamp NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  KEY mqtt_sub_idx (clientid, topic, qos),
  UNIQUE KEY mqtt_sub_key (clientid, topic),
  INDEX topic_index (topic)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS mqtt_msg (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  msgid varchar(64) DEFAULT NULL,
  topic varchar(180) NOT NULL,
  sender varchar(64) DEFAULT NULL,
  node varchar(64) DEFAULT NULL,
  qos tinyint(1) NOT NULL DEFAULT '0',
  retain tinyint(1) DEFAULT NULL,
  payload longblob,
  arrived datetime(3) NOT NULL,
  PRIMARY KEY (id),
  INDEX topic_index (topic, id),
  INDEX arrived_index (arrived),
  UNIQUE INDEX msgid_index (msgid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS mqtt_retain (
  id int(11) unsigned NOT NULL AUTO_INCREMENT,
  topic varchar(180) DEFAULT NULL,
  msgid varchar(64) DEFAULT NULL,
  sender varchar(64) DEFAULT NULL,
  node varchar(64) DEFAULT NULL,
  qos tinyint(1) DEFAULT NULL,
  payload longblob,
  arrived datetime(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY mqtt_retain_key (topic)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS mqtt_acked (
  id int(11) unsigned NOT NULL AUTO_INCREMENT,
  clientid varchar(64) DEFAULT NULL,
  topic varchar(180) DEFAULT NULL,
  mid bigint unsigned DEFAULT NULL,
  created timestamp NULL DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY mqtt_acked_key (clientid, topic)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
