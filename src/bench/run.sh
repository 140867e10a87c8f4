#!/usr/bin/env bash
# The benchmark command (docs/benchmark.md): on this machine, drives N QoS 1 messages of a given size from M
# publishers through a private Mosquitto into the runtime and a database, and reports sustained msgs/s,
# publish-to-row latency, rows verified and the runtime's peak RSS, with the broker and database ceilings measured
# in the same run. Starts everything it needs (private Mosquitto, scratch database, the runtime jar; a private
# redis-server for --db redis; for --db mongo the stand-in mongo-java-server in a JVM of its own, unless
# MQTTBACKENDS_BENCH_MONGO_URI names a real MongoDB; for --db cassandra a keyspace of its own on the harness's
# Cassandra, started if nothing answers on 127.0.0.1:9042, or on MQTTBACKENDS_BENCH_CASSANDRA) and stops all of it
# on exit. The shared PostgreSQL / MariaDB must be running (deploy/local/services.sh starts them).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: src/bench/run.sh [options]
  --db pgsql|mysql|redis|mongo|cassandra
                           database behind the runtime (default pgsql)
  --messages N             messages per pass (default 200000)
  --publishers M           publishing clients, each on its own topic bench/<i> (default 4)
  --payload BYTES          payload size, at least 28 (default 256)
  --rate MSGS_PER_S        total publish rate; 0 = as fast as possible (default 0)
  --half-rate              after the max-rate pass, a second pass at half the measured rate (latency target)
  --repeat K               K runs of every pass, medians reported (default 1)
  --warmup N               messages of an unreported first run of every pass, to warm up the JITs (default 50000)
  --broker-inflight N      the private Mosquitto's max_inflight_messages for every session (default 200; never 0,
                           docs/operations.md "Broker limits": Mosquitto 2.0.11 sent the runtime more than 200
                           unacked anyway)
  --max-backlog N          how far the publishers may run ahead of the consumer (default 50000; Mosquitto
                           breaks QoS 1 for a session with more than 65535 messages queued)
  --json FILE              also write every figure as JSON
  --runtime-opts "..."     extra JVM options for the runtime, e.g. "-Xmx256m -Dmqttbackends.pipeline.max-in-flight=2048"
  --pool-opt KEY=VALUE     an extra key of the benchmark's pool in the conf, e.g. batch_size=1000 (repeatable;
                           batch_size also sets the database ceiling's rows per round trip)
  --keep                   keep the work directory (logs, confs) and the scratch database
Environment: MQTTBACKENDS_BENCH_BUILD=never uses the jars as they are (no Maven build).
  MQTTBACKENDS_BENCH_MONGO_URI=mongodb://...  --db mongo against that MongoDB (scratch database
                           mqttbackends_bench_<pid>, dropped at exit) instead of the stand-in mongo-java-server
  MQTTBACKENDS_BENCH_CASSANDRA=[user:password@]host:port[/datacenter]  --db cassandra against that Cassandra
                           (keyspace mqttbackends_bench_<pid>, created by the runtime's schema.init, dropped at
                           exit); unset: 127.0.0.1:9042/datacenter1, started by deploy/local/cassandra.sh if nothing
                           answers there (and then stopped at exit, unless --keep)
EOF
}

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
command_line="src/bench/run.sh $*"

db=pgsql messages=200000 publishers=4 payload=256 rate=0 half_rate="" repeat=1 warmup=50000 json="" runtime_opts=""
max_backlog=50000 broker_inflight=200 keep="" pool_opts=() batch_rows=500
while [ $# -gt 0 ]; do
  case "$1" in
    --db) db=$2; shift 2 ;;
    --messages) messages=$2; shift 2 ;;
    --publishers) publishers=$2; shift 2 ;;
    --payload) payload=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --half-rate) half_rate=--half-rate; shift ;;
    --repeat) repeat=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --max-backlog) max_backlog=$2; shift 2 ;;
    --broker-inflight) broker_inflight=$2; shift 2 ;;
    --json) json=$(realpath -m "$2"); shift 2 ;;
    --runtime-opts) runtime_opts=$2; shift 2 ;;
    --pool-opt)
      [[ "$2" == ?*=* ]] || { echo "run.sh: --pool-opt $2: KEY=VALUE" >&2; exit 2; }
      pool_opts+=("$2")
      # the ceiling writes as many rows per round trip as the runtime's batches hold at most
      if [[ "$2" == batch_size=* ]]; then batch_rows=${2#batch_size=}; fi
      shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$db" in
  pgsql|mysql|redis|mongo|cassandra) ;;
  *) echo "run.sh: --db $db: one of pgsql, mysql, redis, mongo, cassandra" >&2; exit 2 ;;
esac

runtime_jar=runtime/target/quarkus-app/quarkus-run.jar
bench_jar=bench/target/mqtt-backends-bench.jar
stale() { local jar=$1; shift; [ ! -f "$jar" ] || [ -n "$(find "$@" -newer "$jar" -print -quit)" ]; }
if stale "$runtime_jar" model/src model/pom.xml runtime/src runtime/pom.xml pom.xml || stale "$bench_jar" bench/src bench/pom.xml pom.xml; then
  if [ "${MQTTBACKENDS_BENCH_BUILD:-auto}" = never ]; then
    for jar in "$runtime_jar" "$bench_jar"; do
      [ -f "$jar" ] || { echo "run.sh: $jar is missing (MQTTBACKENDS_BENCH_BUILD=never: build it first)" >&2; exit 1; }
    done
  else
    echo "run.sh: building the runtime and the benchmark driver" >&2
    ./mvnw -B -ntp -q -DskipTests package -pl runtime,bench -am
  fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mqttbackends-bench.XXXXXX")
pids=()
dropdb=""
stop_cassandra=""
status=1
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ -n "$dropdb" ] && [ -z "$keep" ]; then eval "$dropdb" >/dev/null 2>&1 || true; fi
  if [ -n "$stop_cassandra" ] && [ -z "$keep" ]; then deploy/local/cassandra.sh stop >&2 || true; fi
  if [ -n "$keep" ] || [ "$status" -ne 0 ]; then
    echo "run.sh: logs and confs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# A port below the kernel's ephemeral range (32768+, where outgoing connections take theirs) that no socket uses.
taken=" "
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    if [[ "$taken" != *" $p "* ]] && [ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ] && ! port_open "$p"; then
      taken+="$p "; echo "$p"; return
    fi
  done
}
wait_port() {
  local name=$1 port=$2 pid=$3
  for _ in $(seq 1 100); do
    port_open "$port" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: $name did not open port $port; its log:" >&2
  tail -20 "$work/$name.log" >&2
  exit 1
}

# A private Mosquitto: unbounded queues (the default 1000 drops QoS 1 messages for a subscriber that falls behind)
# and max_inflight_messages $broker_inflight, never 0 (docs/operations.md "Broker limits"); nothing on disk.
mqtt_port=$(free_port)
cat > "$work/mosquitto.conf" <<EOF
listener $mqtt_port 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_inflight_messages $broker_inflight
set_tcp_nodelay true
log_dest stderr
log_type error
log_type warning
EOF
mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
"$mosquitto_bin" -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
pids+=($!)
wait_port mosquitto "$mqtt_port" "${pids[-1]}"

# A fresh scratch database per invocation (the pid in its name, so parallel runs never share one).
dbname=mqttbackends_bench_$$
mkdir -p "$work/conf"
hook='{"topic": "#", "action": {"function": "on_message_publish"}, "pool": "pool1"}'
# EMQX's pool keys for a SQL database ($2: `username` for pgsql, `user` for mysql), schema.init and the hook line.
sql_conf() {
  local kind=$1 user_key=$2
  cat > "$work/conf/emqx_backend_$kind.conf" <<EOF
backend.$kind.pool1.server = 127.0.0.1:$db_port
backend.$kind.pool1.pool_size = 8
backend.$kind.pool1.$user_key = $db_user
backend.$kind.pool1.password =
backend.$kind.pool1.database = $dbname
backend.$kind.pool1.schema.init = true
backend.$kind.hook.message.publish.1 = $hook
EOF
}
case "$db" in
  pgsql)
    db_port=5432 db_user=postgres
    psql -h 127.0.0.1 -U postgres -qc "create database $dbname" >/dev/null
    dropdb="psql -h 127.0.0.1 -U postgres -qc 'drop database if exists $dbname with (force)'"
    sql_conf pgsql username
    ;;
  mysql)
    db_port=3306 db_user=root
    mysql -h 127.0.0.1 -P "$db_port" -u root -e "create database $dbname"
    dropdb="mysql -h 127.0.0.1 -P $db_port -u root -e 'drop database if exists $dbname'"
    sql_conf mysql user
    ;;
  redis)
    # A private server: the benchmark turns on keyspace notifications and flushes between runs.
    db_port=$(free_port) db_user="" dbname=0
    redis_bin=$(command -v redis-server || echo /usr/bin/redis-server)
    "$redis_bin" --port "$db_port" --bind 127.0.0.1 --save "" --appendonly no --notify-keyspace-events Kh \
      > "$work/redis.log" 2>&1 &
    pids+=($!)
    wait_port redis "$db_port" "${pids[-1]}"
    cat > "$work/conf/emqx_backend_redis.conf" <<EOF
backend.redis.pool1.type = single
backend.redis.pool1.server = 127.0.0.1:$db_port
backend.redis.pool1.pool_size = 8
backend.redis.pool1.database = $dbname
backend.redis.hook.message.publish.1 = {"topic": "#", "action": {"function": "on_message_publish"}, "expired_time": 3600, "pool": "pool1"}
EOF
    ;;
  mongo)
    db_user=""
    if [ -z "${MQTTBACKENDS_BENCH_MONGO_URI:-}" ]; then
      # No mongod exists here: the stand-in, in a JVM of its own (not the runtime's, not the driver's), memory
      # backend, stamping each mqtt_msg insert with the time it was stored (MongoStandIn). Its GC log (kept with
      # --keep) shows its young-collection pauses, which a real mongod does not have: 100-185 ms measured at
      # 18,000 msgs/s, the half-rate pass's latency tail.
      db_port=$(free_port)
      java -Xms256m -Xmx2g -Xlog:gc:file="$work/mongo-gc.log" -cp "$bench_jar" io.mqttbackends.bench.MongoStandIn \
        --port "$db_port" \
        > "$work/mongo.log" 2>&1 &
      pids+=($!)
      wait_port mongo "$db_port" "${pids[-1]}"
      export MQTTBACKENDS_BENCH_MONGO_URI="mongodb://127.0.0.1:$db_port"
    else
      # A real MongoDB: the driver and the scratch tool read the URI from the environment (never from argv, where
      # a password would show in ps); the scratch database is dropped at exit.
      db_port=""
      dropdb="java -cp '$bench_jar' io.mqttbackends.bench.store.MongoScratch drop '$dbname'"
    fi
    java -cp "$bench_jar" io.mqttbackends.bench.store.MongoScratch conf "$dbname" \
      > "$work/conf/emqx_backend_mongo.conf"
    ;;
  cassandra)
    # EMQX's names: pools under backend.ecql, hooks under backend.cassa, in emqx_backend_cassa.conf. The runtime's
    # schema.init creates the keyspace and its tables; the driver and the scratch tool read the server from the
    # environment (a password never shows in ps).
    db_port="" db_user="" conf_name=cassa pool_kind=ecql
    # the ceiling's writers: one per partition of the pool (its size, 8), as the runtime's batches run
    ceiling_connections=8
    if [ -z "${MQTTBACKENDS_BENCH_CASSANDRA:-}" ] && ! port_open 9042; then
      echo "run.sh: nothing answers on 127.0.0.1:9042: deploy/local/cassandra.sh start" >&2
      stop_cassandra=1
      deploy/local/cassandra.sh start >&2
    fi
    dropdb="java -cp '$bench_jar' io.mqttbackends.bench.store.CassandraScratch drop '$dbname'"
    java -cp "$bench_jar" io.mqttbackends.bench.store.CassandraScratch conf "$dbname" \
      > "$work/conf/emqx_backend_cassa.conf"
    ;;
esac

for opt in "${pool_opts[@]}"; do
  echo "backend.${pool_kind:-$db}.pool1.${opt%%=*} = ${opt#*=}" >> "$work/conf/emqx_backend_${conf_name:-$db}.conf"
done

# The runtime, consuming only the benchmark's raw topics, on its own session and HTTP port.
http_port=$(free_port)
runtime_args="-Dmqttbackends.conf-dir=$work/conf -Dmqttbackends.mqtt.host=127.0.0.1 -Dmqttbackends.mqtt.port=$mqtt_port"
runtime_args+=" -Dmqttbackends.mqtt.client-id=bench-runtime-$$ -Dmqttbackends.mqtt.session-expiry=PT5M"
runtime_args+=" -Dmqttbackends.ingest.raw.topics=bench/# -Dmqttbackends.ingest.emqx-rule.enabled=false"
runtime_args+=" -Dmqttbackends.ingest.emqx-sys.enabled=false -Dquarkus.http.port=$http_port"
# shellcheck disable=SC2086 # the options are words on purpose
java @runtime/jvm.options $runtime_opts $runtime_args -jar "$runtime_jar" > "$work/runtime.log" 2>&1 &
runtime_pid=$!
pids+=("$runtime_pid")
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$http_port/q/health/ready" >/dev/null 2>&1 && break
  if ! kill -0 "$runtime_pid" 2>/dev/null; then
    if grep -q "no backend for database" "$work/runtime.log"; then
      echo "run.sh: $(grep -o "no backend for database '[a-z]*' in this build" "$work/runtime.log" | head -1)" >&2
    fi
    echo "run.sh: the runtime exited at start; its log ($work/runtime.log) ends with:" >&2
    tail -15 "$work/runtime.log" >&2
    exit 1
  fi
  sleep 0.1
done
curl -fs "http://127.0.0.1:$http_port/q/health/ready" >/dev/null \
  || { echo "run.sh: the runtime is not ready after 60 s; see $work/runtime.log" >&2; exit 1; }

commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo -dirty)"
set +e
java -jar "$bench_jar" --db "$db" --messages "$messages" --publishers "$publishers" --payload "$payload" \
  --rate "$rate" $half_rate --repeat "$repeat" --warmup "$warmup" --max-backlog "$max_backlog" \
  ${json:+--json "$json"} \
  --mqtt-port "$mqtt_port" ${db_port:+--db-port "$db_port"} --db-name "$dbname" ${db_user:+--db-user "$db_user"} \
  --batch-rows "$batch_rows" ${ceiling_connections:+--ceiling-connections "$ceiling_connections"} \
  --runtime-pid "$runtime_pid" --command-line "$command_line" --git-commit "$commit" \
  --broker-conf "$work/mosquitto.conf" --runtime-conf-dir "$work/conf" --runtime-args "@runtime/jvm.options ($(grep -v "^#" runtime/jvm.options | tr "\n" " ")) $runtime_opts $runtime_args"
status=$?
set -e
if ! kill -0 "$runtime_pid" 2>/dev/null; then
  echo "run.sh: the runtime died during the run; see $work/runtime.log" >&2
  status=1
fi
exit "$status"
