#!/usr/bin/env bash
# The real Cassandra the tests use: Apache Cassandra 5.0.9 run from its Maven Central jars as a JVM of its own on
# 127.0.0.1:9042 (CQL) and 7000 (storage). There is no Cassandra package or Docker engine on these machines, so
# the jars are fetched once through deploy/local/cassandra/pom.xml into a cache and started with a generated
# cassandra.yaml.
#
#   deploy/local/cassandra.sh start    start it, unless a Cassandra already answers CQL on 127.0.0.1:9042 (reused)
#   deploy/local/cassandra.sh stop     stop the Cassandra this work tree started; leaves any other one alone
#   deploy/local/cassandra.sh status   exit 0 when a Cassandra answers CQL on 127.0.0.1:9042, and say whose it is
#
# Each start is a fresh, empty server (its data directory is wiped): tests make keyspaces of their own, and a run
# killed before it could drop them leaves nothing for the next one.
#
# Environment:
#   MQTTBACKENDS_CASSANDRA_CACHE          where the jars go (default ~/.cache/mqttbackends/cassandra-5.0.9)
#   MQTTBACKENDS_CASSANDRA_WORK           conf, data, log and pid file (default deploy/local/cassandra/work)
#   MQTTBACKENDS_CASSANDRA_JAVA           the java to run it with; it needs JDK 11 or 17 (5.0 fails on newer ones)
#   MQTTBACKENDS_CASSANDRA_START_TIMEOUT  seconds to wait for CQL to answer (default 120; 5-6 s on an idle machine)
set -euo pipefail

VERSION=5.0.9
HOST=127.0.0.1
CQL_PORT=9042
STORAGE_PORT=7000

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${MQTTBACKENDS_CASSANDRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mqttbackends/cassandra-$VERSION}
work=${MQTTBACKENDS_CASSANDRA_WORK:-$repo/deploy/local/cassandra/work}
timeout=${MQTTBACKENDS_CASSANDRA_START_TIMEOUT:-120}
pidfile=$work/cassandra.pid
log=$work/log/cassandra.log

say() { echo "cassandra.sh: $*"; }
fail() { echo "cassandra.sh: $*" >&2; exit 1; }

# Whether a CQL server answers on the port: sends the native protocol's OPTIONS request (v4 header, opcode 0x05,
# empty body) and expects a SUPPORTED response (version byte 0x84, opcode 0x06). An open port alone could be any
# program; this needs no cqlsh.
cql_answers() {
  local reply
  reply=$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "\x04\x00\x00\x00\x05\x00\x00\x00\x00" >&3
    head -c 5 <&3 | od -An -tx1' "$HOST" "$CQL_PORT" 2>/dev/null) || return 1
  read -r -a bytes <<<"$reply"
  [ "${bytes[0]:-}" = 84 ] && [ "${bytes[4]:-}" = 06 ]
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# The pid in the pid file, if that process is still the Cassandra started from this work directory (a pid file
# left by a crash may name a pid the system has since given to another program).
our_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "-Dcassandra.storagedir=$work/data .*CassandraDaemon" || return 1
  echo "$pid"
}

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p'
}

# Cassandra 5.0 runs on Java 11 or 17 only. Use the one named, else JAVA_HOME's or the PATH's java if it is one of
# those, else an installed JDK 17 or 11 (Debian's openjdk-17 on our machines, whose default may be another JDK).
find_java() {
  local candidate
  if [ -n "${MQTTBACKENDS_CASSANDRA_JAVA:-}" ]; then
    case "$(java_major "$MQTTBACKENDS_CASSANDRA_JAVA")" in
      17 | 11) echo "$MQTTBACKENDS_CASSANDRA_JAVA"; return ;;
      *) fail "MQTTBACKENDS_CASSANDRA_JAVA=$MQTTBACKENDS_CASSANDRA_JAVA is not Java 11 or 17, the only ones Cassandra $VERSION runs on" ;;
    esac
  fi
  for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" \
      /usr/lib/jvm/*-17*/bin/java /usr/lib/jvm/*17*/bin/java /usr/lib/jvm/*-11*/bin/java; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    case "$(java_major "$candidate")" in 17 | 11) echo "$candidate"; return ;; esac
  done
  fail "no Java 11 or 17 found (Cassandra $VERSION runs on no other): install openjdk-17-jre-headless or set MQTTBACKENDS_CASSANDRA_JAVA"
}

# The server's jars, fetched once from Maven Central by the repository's Maven wrapper.
fetch_jars() {
  if [ -f "$cache/lib/.complete" ]; then
    return
  fi
  say "fetching the Cassandra $VERSION jars into $cache/lib (once)"
  rm -rf "$cache/lib.partial"
  mkdir -p "$cache"
  "$repo/mvnw" -B -ntp -q -f "$repo/deploy/local/cassandra/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$cache/lib.partial" -DincludeScope=runtime
  # Renamed into place only once complete, so an interrupted download is never taken for the server.
  touch "$cache/lib.partial/.complete"
  rm -rf "$cache/lib"
  mv "$cache/lib.partial" "$cache/lib"
}

write_conf() {
  mkdir -p "$work/conf" "$work/log"
  cat >"$work/conf/cassandra.yaml" <<EOF
# Written by deploy/local/cassandra.sh on each start: a single-node test server on loopback.
cluster_name: Test Cluster
num_tokens: 1
initial_token: 0
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
commitlog_sync: periodic
commitlog_sync_period: 10000ms
commitlog_segment_size: 8MiB
commitlog_directory: $work/data/commitlog
cdc_raw_directory: $work/data/cdc_raw
hints_directory: $work/data/hints
saved_caches_directory: $work/data/saved_caches
data_file_directories:
    - $work/data/data
listen_address: $HOST
rpc_address: $HOST
storage_port: $STORAGE_PORT
start_native_transport: true
native_transport_port: $CQL_PORT
seed_provider:
    - class_name: org.apache.cassandra.locator.SimpleSeedProvider
      parameters:
          - seeds: "$HOST:$STORAGE_PORT"
endpoint_snitch: org.apache.cassandra.locator.SimpleSnitch
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
disk_access_mode: mmap_index_only
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 8
memtable_heap_space: 64MiB
memtable_offheap_space: 64MiB
key_cache_size: 8MiB
# Tests drop a keyspace after each class: without this, every drop first flushes its tables and snapshots them to
# disk, time and files nobody will read.
auto_snapshot: false
EOF
  # INFO to stdout, which start() sends to the log file together with anything the JVM itself prints.
  cat >"$work/conf/logback.xml" <<'EOF'
<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder>
      <pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern>
    </encoder>
  </appender>
  <root level="INFO">
    <appender-ref ref="STDOUT"/>
  </root>
</configuration>
EOF
}

start() {
  # One start at a time per user: two work trees starting together would otherwise both find the port free, and
  # the second server would fail to bind. The second one waits here, then finds the first one's and reuses it.
  mkdir -p "$(dirname "$cache")"
  exec 9>"$cache.lock"
  flock 9
  if cql_answers; then
    if pid=$(our_pid); then
      say "already running (pid $pid, $work)"
    else
      say "a Cassandra already answers on $HOST:$CQL_PORT: using it (not started here, so stop leaves it running)"
    fi
    return 0
  fi
  if port_open "$CQL_PORT"; then
    fail "port $CQL_PORT on $HOST is taken by something that does not answer CQL; free it first"
  fi
  if port_open "$STORAGE_PORT"; then
    fail "storage port $STORAGE_PORT on $HOST is taken (another Cassandra without CQL on $CQL_PORT?); free it first"
  fi
  if pid=$(our_pid); then
    # Ours, but not answering: a start still under way from another shell, or a hung server. Start afresh.
    say "the Cassandra started here (pid $pid) does not answer CQL: stopping it to start afresh"
    stop
  fi

  local java
  java=$(find_java)
  fetch_jars
  rm -rf "$work/data"
  mkdir -p "$work/data"
  write_conf

  say "starting Cassandra $VERSION on $HOST:$CQL_PORT ($java)"
  local began=$SECONDS
  # Small heap: the machines have 2 cores and a few GiB to share with Maven, the test JVM and the runtime.
  # The flags are those of Cassandra's own conf/jvm17-server.options (the jars run on the class path, so the
  # JDK internals it uses must be opened to the unnamed module).
  nohup "$java" \
    -Xms256m -Xmx512m -XX:MaxDirectMemorySize=256m -Xss512k -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
    -Dcassandra.config="file://$work/conf/cassandra.yaml" \
    -Dlogback.configurationFile="file://$work/conf/logback.xml" \
    -Dcassandra.storagedir="$work/data" -Dcassandra-foreground=true \
    -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.superuser_setup_delay_ms=0 \
    -Djava.net.preferIPv4Stack=true -Djdk.attach.allowAttachSelf=true -Dio.netty.tryReflectionSetAccessible=true \
    --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
    --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED \
    --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED \
    --add-exports java.sql/java.sql=ALL-UNNAMED --add-exports java.base/java.lang.ref=ALL-UNNAMED \
    --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED \
    --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
    --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED \
    --add-opens java.base/java.lang.module=ALL-UNNAMED --add-opens java.base/jdk.internal.loader=ALL-UNNAMED \
    --add-opens java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED \
    --add-opens java.base/jdk.internal.math=ALL-UNNAMED --add-opens java.base/jdk.internal.module=ALL-UNNAMED \
    --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED \
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED \
    --add-opens java.base/java.lang.reflect=ALL-UNNAMED --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED \
    -cp "$work/conf:$cache/lib/*" org.apache.cassandra.service.CassandraDaemon \
    >"$log" 2>&1 </dev/null 9>&- &
  # $! is the JVM itself (nohup execs it), so the pid file names the server and nothing in between.
  echo $! >"$pidfile"
  local pid
  pid=$(cat "$pidfile")

  while ! cql_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile"
      echo "cassandra.sh: Cassandra exited during start; the end of $log:" >&2
      tail -n 40 "$log" >&2
      exit 1
    fi
    if [ $((SECONDS - began)) -ge "$timeout" ]; then
      echo "cassandra.sh: Cassandra did not answer CQL on $HOST:$CQL_PORT within ${timeout}s; stopping it." \
        "The end of $log:" >&2
      tail -n 40 "$log" >&2
      stop >&2
      exit 1
    fi
    sleep 0.5
  done
  say "Cassandra is up on $HOST:$CQL_PORT after $((SECONDS - began)) s (pid $pid, log $log)"
  exec 9>&-
}

stop() {
  local pid
  if ! pid=$(our_pid); then
    rm -f "$pidfile"
    say "no Cassandra started here is running (any other one is left alone)"
    return 0
  fi
  say "stopping Cassandra (pid $pid)"
  # SIGTERM: Cassandra drains and flushes, usually within 2-7 s.
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; say "stopped"; return 0; }
    sleep 0.5
  done
  say "still running 30 s after SIGTERM: killing it"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

status() {
  if cql_answers; then
    if pid=$(our_pid); then
      say "running on $HOST:$CQL_PORT (pid $pid, started here, $work)"
    else
      say "a Cassandra answers on $HOST:$CQL_PORT (not started from this work tree)"
    fi
    return 0
  fi
  if pid=$(our_pid); then
    say "started here (pid $pid) but not answering CQL on $HOST:$CQL_PORT yet"
  else
    say "no Cassandra answers on $HOST:$CQL_PORT"
  fi
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
