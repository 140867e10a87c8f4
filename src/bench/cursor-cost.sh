#!/usr/bin/env bash
# The cost of the Cassandra backend's two ways to keep the offline cursor from moving back (issue 14): cursor
# updates written with USING TIMESTAMP <the acked message's time> against lightweight transactions
# (INSERT ... IF NOT EXISTS, then UPDATE ... IF msgid < ?), on the harness Cassandra (deploy/local/cassandra.sh
# start), in a keyspace of its own that it drops at the end. Prints ops/s, p50 and p99 latency of each and the
# ratio, the median of the rounds; exits non-zero when an update failed or a row did not end at its last msgid.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: src/bench/cursor-cost.sh [options]
  --updates N        cursor updates per run (default 20000)
  --rows N           (clientid, topic) rows they go to in turn (default 1000)
  --concurrency N    updates in flight (default 64)
  --rounds N         runs of each way; medians reported (default 3)
  --warmup N         updates of an unreported first run of each way (default 2000)
  --connections N    driver connections to the node (default 8, the pool's default size)
  --consistency L    write consistency (default LOCAL_QUORUM, the pool's default)
  --node HOST:PORT   the Cassandra (default 127.0.0.1:9042)
  --datacenter NAME  its local datacenter (default datacenter1)
Environment: MQTTBACKENDS_BENCH_BUILD=never uses bench/target/mqtt-backends-bench.jar as it is (no Maven build).
USAGE
}

for arg in "$@"; do
  case "$arg" in -h|--help) usage; exit 0 ;; esac
done

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
jar=bench/target/mqtt-backends-bench.jar
if [ "${MQTTBACKENDS_BENCH_BUILD:-auto}" = never ]; then
  [ -f "$jar" ] || { echo "cursor-cost.sh: $jar is missing (MQTTBACKENDS_BENCH_BUILD=never: build it first)" >&2; exit 1; }
else
  ./mvnw -B -ntp -q -DskipTests package -pl bench -am
fi
exec java -cp "$jar" io.mqttbackends.bench.cursor.CursorCost "$@"
