#!/usr/bin/env bash
# The README's run command: starts any missing server, builds the runtime if needed, and runs it against the
# local Mosquitto and PostgreSQL with the EMQX default pgsql conf in deploy/local/conf (schema.init creates the
# EMQX 4.4 tables in database `mqtt`). Override any setting by environment, e.g. MQTTBACKENDS_CONF_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/local/services.sh
jar=runtime/target/quarkus-app/quarkus-run.jar
if [ ! -f "$jar" ] || [ -n "$(find model/src model/pom.xml runtime/src runtime/pom.xml pom.xml -newer "$jar" -print -quit)" ]; then
  ./mvnw -B -ntp -q package -DskipTests -pl runtime -am
fi
export MQTTBACKENDS_CONF_DIR=${MQTTBACKENDS_CONF_DIR:-$PWD/deploy/local/conf}
exec java @runtime/jvm.options ${JAVA_OPTS:-} -jar "$jar"
