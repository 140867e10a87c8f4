#!/usr/bin/env bash
# Starts a built image's service from the image's own root filesystem, without a container runtime: buildah mounts
# the image, the service runs chrooted in it as the image's user (185), the root filesystem read-only and a tmpfs on
# /tmp (as the Deployments run it), with the image's entrypoint, command, environment and working directory.
#
#   deploy/images/smoke.sh runtime  [--database NAME] [--mqtt-port PORT] [--timeout SECONDS] [--image IMAGE]
#   deploy/images/smoke.sh operator [--kube-api URL] [--timeout SECONDS] [--image IMAGE]
#
# runtime:  the conf of deploy/local/conf (EMQX's default pgsql conf) mounted at /etc/mqttbackends/conf with its
#           database changed to NAME (default a scratch database, dropped at the end; a NAME given is created when
#           missing and kept), the local Mosquitto (127.0.0.1, --mqtt-port, default 1883) and PostgreSQL
#           (127.0.0.1:5432, user root); waits until /q/health/ready answers UP, publishes one message with
#           mosquitto_pub and checks with psql that mqtt_msg holds it.
# operator: with --kube-api URL (an API server the operator can reach without credentials, e.g. the fabric8 test
#           server the build's ImagesBuildAndSmokeIT starts), waits until /q/health/ready answers UP. Without it (no
#           API server here) the operator, which stops when its informers cannot start, is started with
#           QUARKUS_OPERATOR_SDK_ASYNC_START=true: waits until the application has started and /q/health/live
#           answers UP, and prints what readiness (which needs the API server) answers.
# The image defaults to localhost/mqttbackends/<service>:<version> (deploy/images/build.sh). Needs root, buildah,
# unshare, nsenter and chroot (util-linux, coreutils), curl, jq, and for the runtime mosquitto_pub and psql.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }
[ $# -ge 1 ] || { usage >&2; exit 2; }
service=$1; shift
case "$service" in
  runtime|operator) ;;
  -h|--help) usage; exit 0 ;;
  *) echo "smoke.sh: runtime or operator, not $service" >&2; exit 2 ;;
esac
version=$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
image=localhost/mqttbackends/$service:$version
database=""
keep_database=false
mqtt_port=1883
kube_api=""
timeout=120
while [ $# -gt 0 ]; do
  case "$1" in
    --image) image=$2; shift 2 ;;
    --database) database=$2; keep_database=true; shift 2 ;;
    --mqtt-port) mqtt_port=$2; shift 2 ;;
    --kube-api) kube_api=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) echo "smoke.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "smoke.sh: needs root (buildah mount, unshare, chroot)" >&2; exit 1; }
tools=(buildah jq curl unshare nsenter chroot)
[ "$service" = runtime ] && tools+=(mosquitto_pub psql)
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || { echo "smoke.sh: $tool is missing (deploy/local/services.sh installs what the smoke test needs)" >&2; exit 1; }
done
started=$SECONDS
say() { echo "smoke.sh: [$((SECONDS - started)) s] $*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Below the kernel's ephemeral range: a port taken from inside it can be handed to an outgoing connection (the
# operator's own watch on the Kubernetes API) between this check and the service's bind, as CI once saw.
ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % (ephemeral_low - 20000)))
    port_open "$port" || { echo "$port"; return 0; }
  done
  echo "smoke.sh: no free port found" >&2; return 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/mqttbackends-smoke.XXXXXX")
container=""
pid=""
dropdb=""
cleanup() {
  local status=$?
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  if [ -n "$container" ]; then
    buildah umount "$container" >/dev/null 2>&1 || true
    buildah rm "$container" >/dev/null 2>&1 || true
  fi
  [ -n "$dropdb" ] && psql -h 127.0.0.1 -U root -d postgres -qc "drop database if exists \"$dropdb\"" >/dev/null 2>&1 || true
  if [ $status -ne 0 ] && [ -f "$work/service.log" ]; then
    echo "smoke.sh: FAILED; the last lines of the service's log:" >&2
    tail -40 "$work/service.log" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT

config=$(buildah inspect --type image "$image" | jq '.OCIv1.config') \
  || { echo "smoke.sh: no image $image (deploy/images/build.sh builds it)" >&2; exit 1; }
user=$(jq -r '.User // "0"' <<<"$config")
workdir=$(jq -r '.WorkingDir // "/"' <<<"$config")
mapfile -t command < <(jq -r '(.Entrypoint // []) + (.Cmd // []) | .[]' <<<"$config")
mapfile -t env < <(jq -r '(.Env // []) | .[]' <<<"$config")
[ ${#command[@]} -gt 0 ] || { echo "smoke.sh: $image has neither entrypoint nor command" >&2; exit 1; }
case "$user" in *:*) ;; *) user="$user:$user" ;; esac
say "image $image: user $user, workdir $workdir, command ${command[*]}"

http_port=$(free_port)
env+=("QUARKUS_HTTP_PORT=$http_port")
conf=""
if [ "$service" = runtime ]; then
  if [ -z "$database" ]; then
    database="mqttbackends_smoke_$$_$RANDOM"
  fi
  exists=$(psql -h 127.0.0.1 -U root -d postgres -tAc "select 1 from pg_database where datname = '$database'")
  if [ "$exists" != 1 ]; then
    psql -h 127.0.0.1 -U root -d postgres -qc "create database \"$database\""
    $keep_database || dropdb=$database
  fi
  conf=$work/conf
  mkdir -p "$conf"
  for f in deploy/local/conf/*.conf; do
    sed -E "s/^(backend\.pgsql\.pool1\.database[[:space:]]*=).*/\1 $database/" "$f" > "$conf/$(basename "$f")"
  done
  chmod -R a+rX "$work"
  env+=("MQTTBACKENDS_CONF_DIR=/etc/mqttbackends/conf" "MQTTBACKENDS_MQTT_HOST=127.0.0.1"
    "MQTTBACKENDS_MQTT_PORT=$mqtt_port" "MQTTBACKENDS_MQTT_CLIENT_ID=mqttbackends-smoke-$$"
    "MQTTBACKENDS_MQTT_SESSION_EXPIRY=PT1M")
  say "conf deploy/local/conf with database $database, broker 127.0.0.1:$mqtt_port, HTTP port $http_port"
elif [ -n "$kube_api" ]; then
  # The fabric8 test server speaks neither server-side apply nor TLS here; a real API server needs neither setting.
  env+=("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL=$kube_api" "QUARKUS_KUBERNETES_CLIENT_NAMESPACE=mqttbackends"
    "QUARKUS_KUBERNETES_CLIENT_TRUST_CERTS=true" "QUARKUS_OPERATOR_SDK_ENABLE_SSA=false"
    "KUBERNETES_AUTH_TRYKUBECONFIG=false" "KUBERNETES_AUTH_TRYSERVICEACCOUNT=false")
  say "Kubernetes API $kube_api, HTTP port $http_port"
else
  env+=("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL=https://127.0.0.1:$(free_port)"
    "QUARKUS_KUBERNETES_CLIENT_NAMESPACE=mqttbackends" "QUARKUS_OPERATOR_SDK_ASYNC_START=true"
    "KUBERNETES_AUTH_TRYKUBECONFIG=false" "KUBERNETES_AUTH_TRYSERVICEACCOUNT=false")
  say "no Kubernetes API (an unused port), HTTP port $http_port"
fi

container=$(buildah from --pull=never "$image")
root=$(buildah mount "$container")
# Mount points in the throwaway container's upper layer, made before the root turns read-only.
mkdir -p "$root/etc/mqttbackends/conf" "$root/proc" "$root/dev" "$root/tmp"

# A private mount namespace: every mount below disappears with the service. The chain unshare > sh > chroot > env
# execs into java, so $pid is the service itself and a SIGTERM to it is a graceful shutdown.
unshare --mount --propagation private -- /bin/sh -c '
  set -e
  root=$1; conf=$2; user=$3; workdir=$4; shift 4
  mount --bind "$root" "$root"
  mount -o remount,bind,ro "$root"
  mount -t tmpfs -o mode=1777,size=128m tmpfs "$root/tmp"
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  [ -z "$conf" ] || mount --bind -o ro "$conf" "$root/etc/mqttbackends/conf"
  exec chroot --userspec="$user" "$root" /usr/bin/env -i --chdir="$workdir" "$@"
' smoke "$root" "$conf" "$user" "$workdir" "${env[@]}" "${command[@]}" > "$work/service.log" 2>&1 &
pid=$!

health() { curl -s --max-time "${2:-2}" "http://127.0.0.1:$http_port/q/health/$1" 2>/dev/null || true; }
wait_health() {
  local what=$1 body
  for _ in $(seq 1 $((timeout * 2))); do
    kill -0 "$pid" 2>/dev/null || { echo "smoke.sh: the service exited" >&2; return 1; }
    body=$(health "$what")
    if [ "$(jq -r '.status // empty' <<<"$body" 2>/dev/null)" = UP ]; then
      say "/q/health/$what: $(jq -c '{status, checks: [.checks[] | {name, status}]}' <<<"$body")"
      return 0
    fi
    sleep 0.5
  done
  echo "smoke.sh: /q/health/$what not UP within $timeout s; last answer: ${body:-none}" >&2
  return 1
}

started_line() { grep -m1 -E 'started in [0-9.]+s' "$work/service.log" || true; }
if [ "$service" = runtime ] || [ -n "$kube_api" ]; then
  wait_health ready
else
  wait_health live
  ready=$(health ready 10)
  [ -n "$ready" ] && ready=$(jq -c '{status, checks: [.checks[] | {name, status}]}' <<<"$ready" 2>/dev/null || echo "$ready")
  say "/q/health/ready (needs the API server): ${ready:-no answer within 10 s}"
fi
say "$(started_line | sed -E 's/^.*\[io\.quarkus\] \([^)]*\) //')"
say "process $pid runs as uid $(awk '/^Uid:/ {print $2}' "/proc/$pid/status") in $(readlink "/proc/$pid/root")"
# What the service sees as its root is read-only, even for root; only /tmp is writable.
if probe=$(nsenter --target "$pid" --mount -- touch "$root/smoke-probe" 2>&1); then
  echo "smoke.sh: the service's root filesystem is writable" >&2; exit 1
fi
say "root filesystem read-only (touch: ${probe##*: }), /tmp writable: $(nsenter --target "$pid" --mount -- \
  find "$root/tmp" -mindepth 1 -maxdepth 1 -printf '%f ' | head -c 200)"

if [ "$service" = runtime ]; then
  topic="mqttbackends/smoke/$$"
  payload="smoke $(date -u +%FT%TZ)"
  mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -q 1 -t "$topic" -m "$payload"
  say "published '$payload' to $topic"
  row=""
  for _ in $(seq 1 40); do
    row=$(psql -h 127.0.0.1 -U root -d "$database" -tA -F ' | ' \
      -c "select id, topic, convert_from(payload, 'UTF8'), qos from mqtt_msg where topic = '$topic'" 2>/dev/null || true)
    [ -n "$row" ] && break
    sleep 0.25
  done
  [ -n "$row" ] || { echo "smoke.sh: no row for $topic in $database.mqtt_msg" >&2; exit 1; }
  say "stored in $database.mqtt_msg: $row"
fi

kill "$pid"
for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$pid" 2>/dev/null; then echo "smoke.sh: the service did not stop within 15 s of SIGTERM" >&2; exit 1; fi
wait "$pid" || true
pid=""
say "stopped: $(grep -m1 -E 'stopped in [0-9.]+s' "$work/service.log" | sed -E 's/^.*\[io\.quarkus\] \([^)]*\) //')"
say "PASS $image"
