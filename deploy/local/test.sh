#!/usr/bin/env bash
# The README's test command: starts any missing server, then runs every test of every module: the unit tests
# (*Test, surefire) and then, after package, the integration tests against those servers (*IT, failsafe).
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/local/services.sh
exec ./mvnw -B -ntp verify "$@"
