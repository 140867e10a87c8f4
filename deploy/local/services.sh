#!/usr/bin/env bash
# Starts the servers the tests and the local run need, if they are not already answering:
# PostgreSQL 5432, MariaDB 3306, Redis 6379, Mosquitto 1883 (all on 127.0.0.1). Installs them from Debian's
# packages when the machine has none (needs root), with the image tools buildah, debootstrap, jq and curl.
# Idempotent; safe to run before every test run.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do port_open "$port" && return 0; sleep 0.5; done
  echo "services.sh: $name did not open port $port" >&2
  return 1
}

need_install=()
command -v pg_ctlcluster >/dev/null || need_install+=(postgresql)
command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || need_install+=(mariadb-server)
command -v redis-server >/dev/null || need_install+=(redis-server)
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || need_install+=(mosquitto mosquitto-clients)
# Not started here: the monitoring tests run a Prometheus of their own and promtool.
{ command -v prometheus && command -v promtool; } >/dev/null || need_install+=(prometheus)
# deploy/images/build.sh and smoke.sh (ImagesBuildAndSmokeIT): images without a daemon, a base from Debian packages.
for tool in buildah debootstrap jq curl; do command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || need_install+=("$tool"); done
if [ ${#need_install[@]} -gt 0 ]; then
  echo "services.sh: installing ${need_install[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_install[@]}" >/dev/null
fi

if ! port_open 5432; then
  echo "services.sh: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  wait_port PostgreSQL 5432
  # A fresh Debian cluster only trusts the local socket: allow loopback TCP without password, as on our machines.
  if ! psql -h 127.0.0.1 -U postgres -c 'select 1' >/dev/null 2>&1; then
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -1)
    sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/; s/^(host\s+all\s+all\s+::1\/128\s+)\S+/\1trust/' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main reload
  fi
fi
if ! port_open 3306; then
  echo "services.sh: starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_port MariaDB 3306
fi
if ! port_open 6379; then
  echo "services.sh: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port Redis 6379
fi
if ! port_open 1883; then
  echo "services.sh: starting Mosquitto"
  if [ -f /etc/mosquitto/mosquitto.conf ] && grep -q '^listener' /etc/mosquitto/mosquitto.conf; then
    mosquitto -d -c /etc/mosquitto/mosquitto.conf
  else
    printf 'listener 1883 127.0.0.1\nallow_anonymous true\n' > /tmp/mqttbackends-mosquitto.conf
    mosquitto -d -c /tmp/mqttbackends-mosquitto.conf
  fi
  wait_port Mosquitto 1883
fi

# The tests' own databases; the local run's database `mqtt`.
for db in test mqtt; do
  psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -qc "create database $db"
done
psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_roles where rolname='root'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "create role root login superuser"
# A fresh Debian MariaDB lets root in through the local socket only: allow it over loopback TCP without a
# password too, as on our machines (the tests and deploy/local/conf-mysql connect so).
if ! mariadb -h 127.0.0.1 -u root -e 'select 1' >/dev/null 2>&1; then
  mariadb -u root -e "ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')"
fi
mariadb -h 127.0.0.1 -u root -e 'CREATE DATABASE IF NOT EXISTS mqtt'
echo "services.sh: PostgreSQL, MariaDB, Redis and Mosquitto are up"
