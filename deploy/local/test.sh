#!/usr/bin/env bash
# The README's test command: starts any missing server, then runs every test of every module: the unit tests
# (*Test, surefire) and then, after package, the integration tests against those servers (*IT, failsafe).
# Cassandra runs for this run only: started here unless one already answers, and stopped at the end if started here.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/local/services.sh

started_cassandra=false
if ! deploy/local/cassandra.sh status >/dev/null; then
  # Set before the start, so that a start that fails half-way (a server up but not answering) is stopped too.
  started_cassandra=true
fi
stop_cassandra() {
  if [ "$started_cassandra" = true ]; then
    deploy/local/cassandra.sh stop || true
  fi
}
trap stop_cassandra EXIT
deploy/local/cassandra.sh start

# Not exec: the trap must run after Maven. The script's exit status stays Maven's (set -e exits with it; the trap
# keeps it).
status=0
./mvnw -B -ntp verify "$@" || status=$?
exit "$status"
