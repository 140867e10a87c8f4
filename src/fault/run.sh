#!/usr/bin/env bash
# The fault-injection command (docs/operations.md): under a steady load of numbered QoS 1 messages, kills,
# stops, hangs and restarts what the runtime depends on, one case at a time, and prints one JSON object per case:
# sent (acknowledged by the broker), stored, lost, duplicated, time to recover, the runtime's peak RSS. Starts
# everything it needs on free ports and stops all of it at exit: a PostgreSQL cluster of its own (initdb into the
# work directory, run as the postgres user when started as root), a Mosquitto with persistence of its own, the
# runtime jar. The machine's shared servers are never touched.
set -euo pipefail

usage() {
  cat <<'EOF2'
usage: src/fault/run.sh [options]
  --cases LIST             comma-separated, in this order by default (all): runtime-kill, runtime-term, db-restart,
                           db-hang, broker-restart, broker-kill, broker-kill-stale, large-burst
  --rate MSGS_PER_S        steady load, total over the publishers (default 2000)
  --publishers M           publishing clients, each on its own topic (default 2)
  --payload BYTES          payload of the steady load, at least 28 (default 256)
  --case-seconds S         load per case (default 40); the fault happens inside it
  --fault-after S          seconds of load before the fault (default 10)
  --outage S               how long the database stays stopped or locked, and the broker down (default 5);
                           the runtime is restarted as soon as it has exited
  --drain-timeout S        after the load, how long to wait at most for the rows to catch up (default 60)
  --budget S               bound of the whole run; cases that would not fit are reported as skipped (default 1800)
  --broker-kill-runs K     runs of the broker-kill case (default 3)
  --large-count N          large payloads in the large-burst case (default 5)
  --large-bytes BYTES      their size (default 10485760)
  --json FILE              also write the JSON lines to FILE
  --runtime-opts "..."     extra JVM options for the runtime, after runtime/jvm.options
  --keep                   keep the work directory (logs of every server, the broker's and database's data)
Environment: MQTTBACKENDS_BENCH_BUILD=never uses the jars as they are (no Maven build).
  MQTTBACKENDS_FAULT_PG_BIN=DIR  PostgreSQL's server binaries (default: the newest /usr/lib/postgresql/*/bin)
EOF2
}

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
command_line="src/fault/run.sh $*"

args=() json="" keep="" runtime_opts=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cases|--rate|--publishers|--payload|--case-seconds|--fault-after|--outage|--drain-timeout|--budget|\
    --broker-kill-runs|--large-count|--large-bytes)
      [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
      args+=("$1" "$2"); shift 2 ;;
    --json) json=$(realpath -m "$2"); shift 2 ;;
    --runtime-opts) runtime_opts=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

pg_bin=${MQTTBACKENDS_FAULT_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$pg_bin/pg_ctl" ] && [ -x "$pg_bin/initdb" ] \
  || { echo "run.sh: no PostgreSQL server binaries (initdb, pg_ctl) in '$pg_bin': set MQTTBACKENDS_FAULT_PG_BIN" >&2; exit 1; }
command -v mosquitto >/dev/null || { echo "run.sh: mosquitto is not installed" >&2; exit 1; }

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

work=$(mktemp -d "${TMPDIR:-/tmp}/mqttbackends-fault.XXXXXX")
# the postgres user (when started as root) reaches its cluster through here
chmod 711 "$work"
[ -z "$json" ] || : > "$json"
harness=""
status=1
cleanup() {
  if [ -n "$harness" ]; then kill "$harness" 2>/dev/null || true; wait "$harness" 2>/dev/null || true; fi
  # whatever the harness could not stop itself (it was killed): its children's pid files, and the cluster
  local f pid
  for f in "$work"/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  done
  if [ -f "$work/pg/postmaster.pid" ]; then
    if [ "$(id -u)" = 0 ]; then
      runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    else
      "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    fi
  fi
  if [ -n "$keep" ] || [ "$status" -ne 0 ]; then
    echo "run.sh: logs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo -dirty)"
jvm_args=(--runtime-jvm-arg "@$root/runtime/jvm.options")
# shellcheck disable=SC2086 # the options are words on purpose
for opt in $runtime_opts; do jvm_args+=(--runtime-jvm-arg "$opt"); done
set +e
java -cp "$bench_jar" io.mqttbackends.bench.fault.FaultMain "${args[@]}" "${jvm_args[@]}" \
  --work "$work" --runtime-jar "$root/$runtime_jar" --pg-bin "$pg_bin" ${json:+--json "$json"} \
  --command-line "$command_line" --git-commit "$commit" &
harness=$!
wait "$harness"
status=$?
harness=""
set -e
exit "$status"
