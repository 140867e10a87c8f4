#!/usr/bin/env bash
# The quickstart: with deploy/local/run.sh running, plays one device's life as EMQX 5 reports it, by publishing the
# events the sample rules (deploy/emqx/rule.sql) republish to the local Mosquitto, and shows what the runtime made
# of them: client state, the offline cursor, the stored messages, and the offline replay, which the script receives
# itself by subscribing to the device's topic with mosquitto_sub.
#
#   deploy/local/quickstart.sh                         # the runtime runs deploy/local/conf (PostgreSQL)
#   deploy/local/quickstart.sh deploy/local/conf-redis # or conf-mysql: the conf directory the runtime runs
#
# Settings, by environment, with the defaults of deploy/local/run.sh and the runtime:
#   MQTTBACKENDS_CONF_DIR         the runtime's conf directory (the argument wins); the script reads the first pool
#                                 of it (type, server, database, user) to show the database state
#   MQTTBACKENDS_HTTP_PORT        the runtime's HTTP port (8080): readiness is checked at /q/health/ready
#   MQTTBACKENDS_MQTT_HOST, _PORT the broker (localhost, 1883)
#   MQTTBACKENDS_INGEST_EMQX_RULE_TOPICS  the events filter (mqttbackends/events/#); events go to <prefix>/<event>
#   MQTTBACKENDS_INGEST_TOKEN or _TOKEN_FILE  the runtime's shared token, if it has one: every event carries it (as
#                                 the user property mqttbackends-token, on mosquitto_pub's command line, so other local
#                                 users can see it in ps: use a token of the local run only)
#   QUICKSTART_CLIENTID           the device's client id (device-<random>, so that every run starts afresh)
#   QUICKSTART_TIMEOUT            seconds to wait for each step's result (15)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
started=$(date +%s%3N)

fail() {
  echo "quickstart: $*" >&2
  exit 1
}

for tool in mosquitto_pub mosquitto_sub curl base64 od stdbuf; do
  command -v "$tool" >/dev/null || fail "$tool is missing (Debian: apt-get install mosquitto-clients curl coreutils)"
done

# ---- Settings -------------------------------------------------------------------------------------------------

conf_dirs=${1:-${MQTTBACKENDS_CONF_DIR:-$here/conf}}
http_port=${MQTTBACKENDS_HTTP_PORT:-8080}
mqtt_host=${MQTTBACKENDS_MQTT_HOST:-localhost}
mqtt_port=${MQTTBACKENDS_MQTT_PORT:-1883}
timeout=${QUICKSTART_TIMEOUT:-15}
device=${QUICKSTART_CLIENTID:-device-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')}
publisher=backend-app
node=emqx@127.0.0.1
# The client id goes into topics, keys and SQL text below: keep it to characters that need no quoting anywhere.
[[ $device =~ ^[A-Za-z0-9_-]{1,64}$ ]] || fail "QUICKSTART_CLIENTID must be 1-64 letters, digits, '-' or '_'"

if [ "${MQTTBACKENDS_INGEST_EMQX_RULE_ENABLED:-true}" = false ]; then
  fail "MQTTBACKENDS_INGEST_EMQX_RULE_ENABLED=false: the quickstart feeds the runtime EMQX rule events (format emqx-rule)"
fi
events_filter=${MQTTBACKENDS_INGEST_EMQX_RULE_TOPICS:-mqttbackends/events/#}
events_filter=${events_filter%%,*}
events_filter=${events_filter#\$share/*/}
[[ $events_filter == */# ]] || fail "the events filter '$events_filter' does not end in /#: set \
MQTTBACKENDS_INGEST_EMQX_RULE_TOPICS to the runtime's filter, e.g. mqttbackends/events/#"
events_prefix=${events_filter%#}

token_args=()
if [ -n "${MQTTBACKENDS_INGEST_TOKEN:-}" ]; then
  token_args=(-D publish user-property mqttbackends-token "$MQTTBACKENDS_INGEST_TOKEN")
elif [ -n "${MQTTBACKENDS_INGEST_TOKEN_FILE:-}" ]; then
  token=$(tr -d ' \t\r\n' < "$MQTTBACKENDS_INGEST_TOKEN_FILE") || fail "cannot read MQTTBACKENDS_INGEST_TOKEN_FILE"
  token_args=(-D publish user-property mqttbackends-token "$token")
fi

# The first pool of the conf directory: its type decides how the state is shown, its keys where it lives.
pool_line=
for dir in ${conf_dirs//,/ }; do
  [ -d "$dir" ] || [ ! -d "$here/$dir" ] || dir=$here/$dir
  [ -d "$dir" ] || fail "conf directory $dir not found"
  for file in "$dir"/*.conf; do
    [ -f "$file" ] || continue
    pool_line=$(grep -m1 -E '^[[:space:]]*backend\.(pgsql|mysql|redis)\.[^.[:space:]]+\.server[[:space:]]*=' "$file" \
      | sed -E 's/^[[:space:]]*//') || continue
    conf_file=$file
    break 2
  done
done
[ -n "$pool_line" ] || fail "no PostgreSQL, MySQL or Redis pool (backend.<type>.<pool>.server) in $conf_dirs"
kind=$(cut -d. -f2 <<<"$pool_line")
pool=$(cut -d. -f3 <<<"$pool_line")

# Literal values only: a ${env:...} or ${file:...} reference in the conf is not resolved here.
pool_key() { # the value of backend.<kind>.<pool>.<key> in the conf file, or $2
  local value
  value=$(grep -m1 -E "^[[:space:]]*backend\.$kind\.$pool\.$1[[:space:]]*=" "$conf_file" \
    | sed -E 's/^[^=]*=[[:space:]]*//; s/[[:space:]]+$//') || true
  echo "${value:-$2}"
}

server=$(pool_key server 127.0.0.1)
db_host=${server%%:*}
case $kind in
  pgsql)
    db_port=${server#"$db_host"}; db_port=${db_port#:}; db_port=${db_port:-5432}
    db_name=$(pool_key database mqtt); db_user=$(pool_key username root)
    export PGPASSWORD=$(pool_key password '')
    db_label="PostgreSQL database $db_name on $db_host:$db_port"
    command -v psql >/dev/null || fail "psql is missing (Debian: apt-get install postgresql-client)"
    ;;
  mysql)
    db_port=${server#"$db_host"}; db_port=${db_port#:}; db_port=${db_port:-3306}
    db_name=$(pool_key database mqtt); db_user=$(pool_key user root)
    export MYSQL_PWD=$(pool_key password '')
    db_label="MySQL database $db_name on $db_host:$db_port"
    mysql_cli=$(command -v mariadb || command -v mysql) \
      || fail "mariadb (or mysql) is missing (Debian: apt-get install mariadb-client)"
    ;;
  redis)
    db_port=${server#"$db_host"}; db_port=${db_port#:}; db_port=${db_port%%,*}; db_port=${db_port:-6379}
    db_name=$(pool_key database 0)
    export REDISCLI_AUTH=$(pool_key password '')
    [ -n "$REDISCLI_AUTH" ] || unset REDISCLI_AUTH
    db_label="Redis database $db_name on $db_host:$db_port"
    command -v redis-cli >/dev/null || fail "redis-cli is missing (Debian: apt-get install redis-tools)"
    ;;
esac

# EMQX's default Redis conf fetches offline messages for pubsub/# (a cursor per client and topic) and queue/#.
case $kind in
  redis) topic=pubsub/devices/$device/commands ;;
  *) topic=devices/$device/commands ;;
esac

# ---- Database access ------------------------------------------------------------------------------------------

sql() { # prints the rows of one query; -t: tuples only (for checks), otherwise a table
  local tuples=
  if [ "$1" = -t ]; then tuples=1; shift; fi
  case $kind in
    pgsql) psql -h "$db_host" -p "$db_port" -U "$db_user" -d "$db_name" -X -q -v ON_ERROR_STOP=1 -P pager=off \
             ${tuples:+-tA} -c "$1" ;;
    mysql) if [ -n "$tuples" ]; then set -- -N -B -e "$1"; else set -- -t -e "$1"; fi
           "$mysql_cli" -h "$db_host" -P "$db_port" -u "$db_user" "$db_name" "$@" ;;
  esac
}

redis() {
  redis-cli -h "$db_host" -p "$db_port" -n "$db_name" --raw "$@"
}

payload_text() { # a payload column as text
  case $kind in
    pgsql) echo "convert_from($1, 'UTF8')" ;;
    mysql) echo "CONVERT($1 USING utf8mb4)" ;;
  esac
}

# The facts each step waits for, per database.
client_state() {
  case $kind in
    redis) redis HGET "mqtt:client:$device" state ;;
    *) sql -t "select state from mqtt_client where clientid = '$device'" ;;
  esac
}

cursor_msgid() { # the msgid the cursor points at, 0 for a cursor before any message, empty without a cursor
  case $kind in
    redis) redis GET "mqtt:acked:$device:$topic" ;;
    *) sql -t "select coalesce(m.msgid, '0') from mqtt_acked a left join mqtt_msg m on m.id = a.mid
               where a.clientid = '$device' and a.topic = '$topic'" ;;
  esac
}

stored_count() {
  case $kind in
    redis) redis ZCARD "mqtt:msg:$topic" ;;
    *) sql -t "select count(*) from mqtt_msg where topic = '$topic'" ;;
  esac
}

await() { # await DESCRIPTION EXPECTED FUNCTION: polls FUNCTION until it prints EXPECTED
  local description=$1 expected=$2 actual=
  local deadline=$(( $(date +%s) + timeout ))
  while :; do
    actual=$("$3" 2>&1) || true
    [ "$actual" = "$expected" ] && return 0
    if [ "$(date +%s)" -ge "$deadline" ]; then
      fail "waited ${timeout}s for $description: expected '$expected', found '$actual'. Is the runtime on port \
$http_port the one running $conf_file? Its log, and mqttbackends_events_rejected_total at \
http://127.0.0.1:$http_port/q/metrics, say why an event was refused."
    fi
    sleep 0.2
  done
}

# ---- The runtime ----------------------------------------------------------------------------------------------

health=$(curl -s -m 5 -w '\n%{http_code}' "http://127.0.0.1:$http_port/q/health/ready" 2>/dev/null) || health=$'\n000'
status=${health##*$'\n'}
case $status in
  200) ;;
  000) fail "no runtime answers on http://127.0.0.1:$http_port: start it first, in another terminal, with
  MQTTBACKENDS_CONF_DIR=$conf_dirs deploy/local/run.sh
(or set MQTTBACKENDS_HTTP_PORT to the port it runs on)" ;;
  *) fail "the runtime on http://127.0.0.1:$http_port is not ready (HTTP $status): ${health%$'\n'*}" ;;
esac
config=$(curl -s -m 5 "http://127.0.0.1:$http_port/q/mqttbackends/config") || true
if ! grep -q "\"$kind\.$pool\"" <<<"$config"; then
  running=$(grep -oE '"[a-z]+\.[^"]+":\{"up"' <<<"$config" | cut -d'"' -f2 | paste -sd' ' -) || true
  hint=deploy/local/conf-${running%%.*}
  [ "$hint" != deploy/local/conf-pgsql ] || hint=deploy/local/conf
  fail "the runtime on http://127.0.0.1:$http_port runs pool(s) ${running:-(none)}, not $kind.$pool of $conf_file:
pass the conf directory it runs, e.g. deploy/local/quickstart.sh $hint"
fi

# ---- EMQX 5 events --------------------------------------------------------------------------------------------

now_ms() { date +%s%3N; }
# EMQX 5 message ids: 128 bits in upper-case hex, starting with the time in microseconds.
new_msgid() { printf '%016X%s' "$(date +%s%6N)" "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F)"; }

shown_events=" "
send() { # send EVENT JSON: publishes one event as the sample rule does, showing the JSON of each kind once
  local event=$1 json=$2
  mosquitto_pub -V mqttv5 -h "$mqtt_host" -p "$mqtt_port" -q 1 -t "$events_prefix$event" -m "$json" \
    ${token_args[@]+"${token_args[@]}"} || fail "mosquitto_pub to $mqtt_host:$mqtt_port failed"
  if [[ $shown_events != *" $event "* ]]; then
    shown_events+="$event "
    echo "     $events_prefix$event  $json"
  fi
}

client_connected() {
  local t; t=$(now_ms)
  send client.connected "{\"event\":\"client.connected\",\"clientid\":\"$device\",\"username\":\"$device\",\
\"timestamp\":$t,\"node\":\"$node\",\"peername\":\"127.0.0.1:52110\",\"sockname\":\"127.0.0.1:1883\",\
\"mountpoint\":\"undefined\",\"proto_name\":\"MQTT\",\"proto_ver\":5,\"keepalive\":60,\"clean_start\":false,\
\"expiry_interval\":7200,\"is_bridge\":false,\"connected_at\":$t,\"conn_props\":{},\"client_attrs\":{}}"
}

client_disconnected() {
  local t; t=$(now_ms)
  send client.disconnected "{\"event\":\"client.disconnected\",\"clientid\":\"$device\",\"username\":\"$device\",\
\"timestamp\":$t,\"node\":\"$node\",\"reason\":\"normal\",\"peername\":\"127.0.0.1:52110\",\
\"sockname\":\"127.0.0.1:1883\",\"disconnected_at\":$t,\"disconn_props\":{},\"client_attrs\":{}}"
}

session_subscribed() {
  send session.subscribed "{\"event\":\"session.subscribed\",\"clientid\":\"$device\",\"username\":\"$device\",\
\"timestamp\":$(now_ms),\"node\":\"$node\",\"peerhost\":\"127.0.0.1\",\"topic\":\"$topic\",\"qos\":1,\
\"sub_props\":{},\"client_attrs\":{}}"
}

# The message fields of the sample rule: payload base64-encoded, so binary payloads arrive byte-exact.
message_fields() { # message_fields MSGID TEXT RECEIVED_AT
  echo "\"id\":\"$1\",\"payload\":\"$(printf '%s' "$2" | base64 -w0)\",\"payload_encoding\":\"base64\",\
\"peerhost\":\"127.0.0.1\",\"topic\":\"$topic\",\"qos\":1,\"flags\":{\"retain\":false,\"dup\":false},\
\"pub_props\":{},\"publish_received_at\":$3"
}

msgids=() texts=() received_at=()
message_publish() { # message_publish TEXT
  local id t; id=$(new_msgid); t=$(now_ms)
  msgids+=("$id"); texts+=("$1"); received_at+=("$t")
  send message.publish "{\"event\":\"message.publish\",\"clientid\":\"$publisher\",\"username\":\"$publisher\",\
\"timestamp\":$t,\"node\":\"$node\",$(message_fields "$id" "$1" "$t")}"
}

delivered_and_acked() { # delivered_and_acked INDEX: the device receives and acks message INDEX (0-based)
  local i=$1 event
  for event in message.delivered message.acked; do
    send $event "{\"event\":\"$event\",\"clientid\":\"$device\",\"username\":\"$device\",\"timestamp\":$(now_ms),\
\"node\":\"$node\",\"from_clientid\":\"$publisher\",\"from_username\":\"$publisher\",\
$(message_fields "${msgids[$i]}" "${texts[$i]}" "${received_at[$i]}")$([ $event = message.acked ] && echo ',"puback_props":{}')}"
  done
}

# ---- The story ------------------------------------------------------------------------------------------------

echo "MQTT Backends quickstart"
echo "  runtime   http://127.0.0.1:$http_port (ready), pool $kind.$pool of $conf_file"
echo "  database  $db_label"
echo "  events    EMQX 5 rule events (format emqx-rule) published to $events_prefix<event> on $mqtt_host:$mqtt_port"
echo "  device    $device, topic $topic"
echo

echo "1. $device connects (client.connected)"
client_connected
await "client state 1" 1 client_state
echo "   -> client $device online (state 1)"

echo "2. $device subscribes to $topic, QoS 1 (session.subscribed)"
session_subscribed
await "the subscription's cursor" 0 cursor_msgid
echo "   -> cursor created at the newest stored message of the topic (none yet: 0); nothing to replay"

echo "3. $publisher publishes 3 messages to $topic, QoS 1 (message.publish)"
for n in 1 2 3; do message_publish "{\"seq\":$n,\"cmd\":\"set-temp\",\"value\":$((19 + n))}"; done
await "3 stored messages" 3 stored_count
echo "   -> 3 messages stored"

echo "4. $device receives message 1 and acks it (message.delivered, message.acked)"
delivered_and_acked 0
await "the cursor at message 1" "${msgids[0]}" cursor_msgid
echo "   -> cursor moved to message 1 (${msgids[0]}); messages 2 and 3 are not acked"

echo "5. $device disconnects (client.disconnected)"
client_disconnected
await "client state 0" 0 client_state
echo "   -> client $device offline (state 0)"

echo "6. $publisher publishes 2 more messages while $device is offline"
for n in 4 5; do message_publish "{\"seq\":$n,\"cmd\":\"set-temp\",\"value\":$((19 + n))}"; done
await "5 stored messages" 5 stored_count
echo "   -> 5 messages stored"

echo "7. $device comes back: mosquitto_sub -i $device -t $topic, then client.connected and session.subscribed"
replays=$(mktemp)
trap 'rm -f "$replays"; [ -z "${sub_pid:-}" ] || kill "$sub_pid" 2>/dev/null || true' EXIT
# Line-buffered (stdbuf), so that the SUBACK shows in the file as it happens, not when mosquitto_sub exits.
stdbuf -oL mosquitto_sub -V mqttv5 -h "$mqtt_host" -p "$mqtt_port" -i "$device" -q 1 -t "$topic" -C 4 -W "$timeout" -d \
  -F 'REPLAY|%P|%p' > "$replays" 2>&1 &
sub_pid=$!
# -d logs the SUBACK: only then is the subscription in place for the replay to reach it.
deadline=$(( $(date +%s) + timeout ))
until grep -q 'received SUBACK' "$replays" || [ "$(date +%s)" -ge "$deadline" ]; do sleep 0.1; done
grep -q 'received SUBACK' "$replays" || fail "mosquitto_sub did not subscribe: $(cat "$replays")"
client_connected
session_subscribed
wait "$sub_pid" || true
sub_pid=
mapfile -t received < <(grep '^REPLAY|' "$replays")
echo "   -> the runtime replayed the ${#received[@]} messages stored after the cursor; mosquitto_sub received:"
for line in "${received[@]}"; do
  props=${line#REPLAY|}; props=${props%%|*}
  msgid=$(grep -oE 'mqttbackends-msgid:[^ ]+' <<<"$props" | cut -d: -f2)
  echo "      $topic  ${line#REPLAY|*|}  (mqttbackends-msgid $msgid)"
done
[ "${#received[@]}" -eq 4 ] || fail "expected the replay of messages 2 to 5, received ${#received[@]} in ${timeout}s"
await "client state 1" 1 client_state

# ---- The state ------------------------------------------------------------------------------------------------

echo
echo "Database state ($db_label):"
case $kind in
  redis)
    client="redis-cli -h $db_host -p $db_port -n $db_name"
    show() { # a command and its reply, a hash's or sorted set's as "field value" lines
      echo; echo "\$ $client $*"
      if [ "$1" = GET ]; then redis "$@"; else redis "$@" | paste -d' ' - - | sed 's/^/  /'; fi
    }
    show HGETALL "mqtt:client:$device"
    show GET "mqtt:acked:$device:$topic"
    show ZRANGE "mqtt:msg:$topic" 0 -1 WITHSCORES
    show HGETALL "mqtt:msg:${msgids[0]}"
    echo "  (TTL $(redis TTL "mqtt:msg:${msgids[0]}") s: expired_time)"
    echo; echo "\$ $client HGET mqtt:msg:<msgid> payload    # messages 2 to 5"
    for id in "${msgids[@]:1}"; do echo "  $id  $(redis HGET "mqtt:msg:$id" payload)"; done
    ;;
  *)
    # The command to repeat each query with; psql ends its tables with a blank line, mariadb does not.
    case $kind in
      pgsql) client="psql -h $db_host -p $db_port -U $db_user $db_name -c"; gap= ;;
      mysql) client="${mysql_cli##*/} -h $db_host -P $db_port -u $db_user $db_name -t -e"; gap=1 ;;
    esac
    echo
    show() { echo "\$ $client \"$1\""; sql "$1"; [ -z "$gap" ] || echo; }
    show "select clientid, state, node, online_at, offline_at from mqtt_client where clientid = '$device'"
    show "select a.clientid, a.topic, a.mid, m.msgid as acked_msgid, $(payload_text m.payload) as acked_payload
  from mqtt_acked a left join mqtt_msg m on m.id = a.mid where a.clientid = '$device'"
    show "select id, msgid, sender, qos, $(payload_text payload) as payload, arrived from mqtt_msg
  where topic = '$topic' order by id"
    ;;
esac
[ "$kind" = pgsql ] || echo # psql's tables end with a blank line already
elapsed=$(( $(date +%s%3N) - started ))
printf 'Done in %d.%d s: client state, the cursor at message 1, and messages 2-5 replayed after the reconnect.\n' \
  $((elapsed / 1000)) $((elapsed % 1000 / 100))
