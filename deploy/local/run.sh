#!/usr/bin/env bash
# The README's run command: starts any missing server, builds the runtime if needed, and runs it against the
# local Mosquitto and PostgreSQL with the EMQX default pgsql conf in deploy/local/conf (schema.init creates the
# EMQX 4.4 tables in database `mqtt`). Override any setting by environment, e.g. MQTTBACKENDS_CONF_DIR
# (deploy/local/conf-mysql, deploy/local/conf-redis) or MQTTBACKENDS_HTTP_PORT. Says what it does on stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { echo "run.sh: $*" >&2; }

say "starting missing services (PostgreSQL, MariaDB, Redis, Mosquitto)..."
deploy/local/services.sh >&2
jar=runtime/target/quarkus-app/quarkus-run.jar
if [ ! -f "$jar" ] || [ -n "$(find model/src model/pom.xml runtime/src runtime/pom.xml pom.xml -newer "$jar" -print -quit)" ]; then
  if [ -f "$jar" ]; then
    say "rebuilding the runtime (sources changed, ~1 min)..."
  else
    say "building the runtime (first run: ~2 min, more while Maven downloads the dependencies)..."
  fi
  # Maven's own output, kept whole in a log; the modules and the result are shown as they come.
  build_log=$(mktemp "${TMPDIR:-/tmp}/mqttbackends-build.XXXXXX")
  ./mvnw -B -ntp -Dstyle.color=never package -DskipTests -pl runtime -am > "$build_log" 2>&1 < /dev/null &
  build=$!
  # In a script a background job ignores Ctrl-C: stop the build with the script.
  trap 'kill $build 2>/dev/null; exit 130' INT TERM
  tail -n +1 -f --pid=$build "$build_log" | grep --line-buffered -E \
    '^\[INFO\] (Building .* \[[0-9]+/[0-9]+\]$|BUILD |.*Quarkus augmentation completed)' \
    | sed -u 's/^\[INFO\] /run.sh:   /' >&2 || true
  if ! wait $build; then
    say "the build failed; its last lines (whole log: $build_log):"
    tail -n 40 "$build_log" >&2
    exit 1
  fi
  trap - INT TERM
  rm -f "$build_log"
fi
export MQTTBACKENDS_CONF_DIR=${MQTTBACKENDS_CONF_DIR:-$PWD/deploy/local/conf}
say "starting the runtime on http://127.0.0.1:${MQTTBACKENDS_HTTP_PORT:-8080}, conf $MQTTBACKENDS_CONF_DIR"
quickstart=deploy/local/quickstart.sh
[ "$MQTTBACKENDS_CONF_DIR" = "$PWD/deploy/local/conf" ] || quickstart+=" $MQTTBACKENDS_CONF_DIR"
# The quickstart needs the same ports: name those this run was given (never the token, which is a secret).
for setting in MQTTBACKENDS_HTTP_PORT MQTTBACKENDS_MQTT_HOST MQTTBACKENDS_MQTT_PORT; do
  [ -z "${!setting:-}" ] || quickstart="$setting=${!setting} $quickstart"
done
say "  ready once http://127.0.0.1:${MQTTBACKENDS_HTTP_PORT:-8080}/q/health/ready says UP; then try, in another terminal:"
say "  $quickstart"
exec java @runtime/jvm.options ${JAVA_OPTS:-} -jar "$jar"
