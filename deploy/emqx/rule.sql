-- EMQX 5 rules that feed MQTT Backends (format `emqx-rule`). Create both in the dashboard (Integration > Rules) or
-- via POST /api/v5/rules, each with one "Republish" action:
--   topic   mqttbackends/events/${event}
--   qos     1
--   retain  false
--   payload ${.}
-- The runtime subscribes to mqttbackends/events/# (mqttbackends.ingest.emqx-rule.topics).

-- Rule 1: messages. Payloads travel base64-encoded so binary payloads arrive byte-exact; the WHERE clause keeps
-- the rule from consuming its own republished events.
SELECT
  *,
  base64_encode(payload) AS payload,
  'base64' AS payload_encoding
FROM
  "#", "$events/message_delivered", "$events/message_acked"
WHERE
  NOT (topic =~ 'mqttbackends/events/#')

-- Rule 2: client and session lifecycle.
SELECT
  *
FROM
  "$events/client_connected", "$events/client_disconnected",
  "$events/session_subscribed", "$events/session_unsubscribed"
