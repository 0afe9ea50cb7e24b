#!/usr/bin/env sh
# What `npm test` needs that npm cannot install: a PostgreSQL server (15 or newer) for the specs that run
# the Supabase path and its row level security on a real PostgreSQL, and a Redis server (6.2 or newer)
# for the cluster specs (several instances sharing shows), and promtool (Debian's `prometheus` package) for
# the operations spec. Idempotent: it checks first and installs only
# what is missing, saying so. As root on Debian/Ubuntu it installs Debian's `postgresql` and
# `redis-server` (and `prometheus`) packages; elsewhere it says what to install (or set PG_BIN to a folder holding initdb
# and postgres, REDIS_SERVER to a redis-server or valkey-server binary).
set -eu

have_postgres() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/postgres" ]; then return 0; fi
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ] || continue
    major=$(basename "$(dirname "$dir")")
    [ "$major" -ge 15 ] 2>/dev/null && return 0
  done
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir)
    [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ] && return 0
  fi
  return 1
}

is_root() { [ "$(id -u)" = "0" ]; }

# apt_install PACKAGE NAME: Debian's package, quietly, saying what it does.
apt_install() {
  echo "test-prereqs: installing Debian's $2 (apt-get install $1; under a minute, once)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}

if have_postgres && { ! is_root || id postgres >/dev/null 2>&1; }; then
  echo "test-prereqs: PostgreSQL server found"
else
  if is_root && command -v apt-get >/dev/null 2>&1; then
    apt_install postgresql "PostgreSQL server"
    have_postgres || { echo "test-prereqs: postgresql installed but no server binaries found" >&2; exit 1; }
    echo "test-prereqs: PostgreSQL server installed"
  else
    echo "test-prereqs: no PostgreSQL 15+ server found. Install one (Debian/Ubuntu: sudo apt-get install postgresql;" >&2
    echo "  macOS: brew install postgresql@16) or set PG_BIN to the folder with initdb and postgres." >&2
    exit 1
  fi
fi

have_redis() {
  if [ -n "${REDIS_SERVER:-}" ] && [ -x "$REDIS_SERVER" ]; then return 0; fi
  command -v redis-server >/dev/null 2>&1 || command -v valkey-server >/dev/null 2>&1
}

if have_redis; then
  echo "test-prereqs: Redis server found"
elif is_root && command -v apt-get >/dev/null 2>&1; then
  apt_install redis-server "Redis server"
  have_redis || { echo "test-prereqs: redis-server installed but not found on PATH" >&2; exit 1; }
  echo "test-prereqs: Redis server installed"
else
  echo "test-prereqs: no Redis server found. Install one (Debian/Ubuntu: sudo apt-get install redis-server;" >&2
  echo "  macOS: brew install redis) or set REDIS_SERVER to a redis-server/valkey-server binary." >&2
  exit 1
fi

# promtool (Prometheus' own checker) for the operations spec: it checks /metrics, the alert rules and
# their unit tests (docs/monitoring/). Debian ships it in the `prometheus` package.
have_promtool() {
  if [ -n "${PROMTOOL:-}" ] && [ -x "$PROMTOOL" ]; then return 0; fi
  command -v promtool >/dev/null 2>&1
}

if have_promtool; then
  echo "test-prereqs: promtool found"
elif is_root && command -v apt-get >/dev/null 2>&1; then
  apt_install prometheus "Prometheus (for promtool)"
  have_promtool || { echo "test-prereqs: prometheus installed but promtool not found on PATH" >&2; exit 1; }
  echo "test-prereqs: promtool installed"
else
  echo "test-prereqs: no promtool found. Install Prometheus (Debian/Ubuntu: sudo apt-get install prometheus;" >&2
  echo "  macOS: brew install prometheus) or set PROMTOOL to a promtool binary." >&2
  exit 1
fi
