#!/usr/bin/env bash
# Make sure the system parts the test suite needs are present and running:
# Chromium (Debian package) for browser tests, Pango for PDF documents, PostgreSQL, MariaDB and Redis servers.
# Installs missing Debian packages with apt and starts stopped services. Idempotent.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
APT_UPDATED=""

apt_install() {
  if [ -z "$APT_UPDATED" ]; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 30); do port_open "$1" && return 0; sleep 1; done
  echo "ensure-system: nothing answers on 127.0.0.1:$1 after starting $2" >&2
  return 1
}

if ! command -v chromium >/dev/null 2>&1; then
  echo "ensure-system: installing Debian's chromium for browser tests"
  apt_install chromium fonts-dejavu-core
fi

# WeasyPrint (filings and acts as PDF) renders with Pango.
if ! ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0"; then
  echo "ensure-system: installing Pango for WeasyPrint (PDF documents)"
  apt_install libpango-1.0-0 libpangoft2-1.0-0
fi

if ! port_open 5432; then
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_port 5432 PostgreSQL
fi

if ! port_open 3306; then
  command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || apt_install mariadb-server
  $SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_port 3306 MariaDB
fi

if ! port_open 6379; then
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_port 6379 Redis
fi
echo "ensure-system: chromium, Pango, PostgreSQL, MariaDB and Redis ready"
