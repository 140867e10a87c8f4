-- MQTT Backends: PostgreSQL tables (schema.init runs this file; every statement is idempotent).
--
-- Tables, columns and unique keys are EMQX 4.4's emqx_backend_pgsql ones, so existing queries keep working.
-- Documented additions:
--   * mqtt_msg.payload and mqtt_retain.payload are bytea, not text: MQTT payloads are bytes and may not be UTF-8.
--     The backend also works on EMQX's own text-payload tables (it detects the column type).
--   * mqtt_msg.id is BIGSERIAL and mqtt_acked.mid bigint: the id is the offline-fetch cursor and must not wrap.
--   * mqtt_acked.topic is varchar(200) like every other topic column (EMQX had varchar(100)).
--   * index mqtt_msg(topic, id) for the offline fetch, and msgid unique (for the ack's id lookup, and so that a
--     message the broker delivers again with the same id is stored once; tables created before keep a plain index).
--   * index mqtt_msg(arrived) for the message retention (retention.max_age): each bounded delete reads the oldest
--     rows from it instead of scanning the table; retention.max_per_topic uses mqtt_msg(topic, id).

CREATE TABLE IF NOT EXISTS mqtt_client (
  id SERIAL PRIMARY KEY,
  clientid varchar(100),
  state integer,
  node varchar(100),
  online_at timestamp,
  offline_at timestamp,
  created timestamp without time zone,
  UNIQUE (clientid)
);

CREATE TABLE IF NOT EXISTS mqtt_sub (
  id SERIAL PRIMARY KEY,
  clientid varchar(100),
  topic varchar(200),
  qos integer,
  created timestamp without time zone,
  UNIQUE (clientid, topic)
);

CREATE TABLE IF NOT EXISTS mqtt_msg (
  id BIGSERIAL PRIMARY KEY,
  msgid varchar(60),
  sender varchar(100),
  topic varchar(200),
  qos integer,
  retain integer,
  payload bytea,
  arrived timestamp without time zone,
  CONSTRAINT mqtt_msg_msgid_key UNIQUE (msgid)
);

CREATE INDEX IF NOT EXISTS mqtt_msg_topic_id_idx ON mqtt_msg (topic, id);
CREATE INDEX IF NOT EXISTS mqtt_msg_arrived_idx ON mqtt_msg (arrived);

-- A table created before msgid was unique (or by EMQX's DDL) still needs an index for the ack's lookup; a new
-- table has the unique one, and a second index on msgid would only slow every insert.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'mqtt_msg'
                 AND indexdef LIKE '%(msgid)') THEN
    CREATE INDEX mqtt_msg_msgid_idx ON mqtt_msg (msgid);
  END IF;
END $$;

CREATE TABLE IF NOT EXISTS mqtt_retain (
  id SERIAL PRIMARY KEY,
  topic varchar(200),
  msgid varchar(60),
  sender varchar(100),
  qos integer,
  payload bytea,
  arrived timestamp without time zone,
  UNIQUE (topic)
);

CREATE TABLE IF NOT EXISTS mqtt_acked (
  id SERIAL PRIMARY KEY,
  clientid varchar(100),
  topic varchar(200),
  mid bigint,
  created timestamp without time zone,
  UNIQUE (clientid, topic)
);
