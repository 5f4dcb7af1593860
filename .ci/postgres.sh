#!/usr/bin/env bash
# A PostgreSQL the application did not start: Debian's `postgresql` package (installed when missing), a
# private cluster in its own data directory run by the `postgres` user, and the roles an operator creates
# (README, "External database set-up"): an owner that is NOT a superuser, and a superuser the test harness
# alone uses to look at rows behind row-level security.
#
#   bash .ci/postgres.sh start   # prints `export TEST_DATABASE_URL=… TEST_DATABASE_ADMIN_URL=…`
#   bash .ci/postgres.sh stop
#
# Idempotent: `start` stops and wipes what an earlier run left in the data directory, then begins afresh.
# Settings: CPPCC_CI_PG_DIR (data directory, default /var/tmp/cppcc-ci-pg-<checksum of this checkout's
# path>), CPPCC_CI_PG_PORT (default:
# the first free port from 5433 up, below the kernel's ephemeral range 32768–60999).
set -euo pipefail

# One cluster per checkout: two checkouts on one machine (CI runners, worktrees) never wipe each other's.
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${CPPCC_CI_PG_DIR:-/var/tmp/cppcc-ci-pg-$(printf %s "$ROOT" | cksum | cut -d' ' -f1)}"
log() { echo "[postgres.sh] $*" >&2; }

# The newest major Debian installed, or none.
pg_bindir() {
  local major
  major="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)"
  [ -n "$major" ] && [ -x "/usr/lib/postgresql/$major/bin/initdb" ] && echo "/usr/lib/postgresql/$major/bin"
}

install_postgres() {
  if pg_bindir >/dev/null; then return; fi
  [ "$(id -u)" = 0 ] || { log "PostgreSQL is not installed and this is not root: apt-get install -y postgresql"; exit 1; }
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  pg_bindir >/dev/null || { log "postgresql installed but no initdb under /usr/lib/postgresql"; exit 1; }
}

# Run as the cluster's user: postgres when we are root (initdb refuses root), else ourselves.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  if [ -n "${CPPCC_CI_PG_PORT:-}" ]; then echo "$CPPCC_CI_PG_PORT"; return; fi
  local p
  for p in $(seq 5433 5532); do
    if port_free "$p"; then echo "$p"; return; fi
  done
  log "no free port in 5433–5532"; exit 1
}

stop_cluster() {
  local bin
  bin="$(pg_bindir)" || return 0
  if [ -f "$DIR/data/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 || as_pg "$bin/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
}

start() {
  install_postgres
  local bin port secret
  bin="$(pg_bindir)"
  stop_cluster
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  chmod 700 "$DIR"
  port="$(pick_port)"
  secret="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  # Passwords only over TCP; the socket (peer) lets the postgres user create the roles below.
  as_pg "$bin/initdb" -D "$DIR/data" -U postgres --encoding=UTF8 --locale=C --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  as_pg "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR -c max_connections=300" start >/dev/null
  as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$port" -U postgres -d postgres \
    -v owner_pw="owner-$secret" -v admin_pw="admin-$secret" <<'SQL'
-- The application's owner: owns its database and every table, runs migrations and the tree sync, and
-- creates the role requests run as (cppcc_app). Not a superuser and no BYPASSRLS: FORCE row-level
-- security holds it, and the security-definer functions it owns, like everyone else. CREATEDB only
-- because the test suite clones a template database per test file; a deployment does not need it.
create role cppcc_owner login nosuperuser nobypassrls createrole createdb password :'owner_pw';
create database cppcc owner cppcc_owner;
-- The test harness's own eyes (counting rows behind RLS, breaking a table on purpose); never the app's.
create role cppcc_ci_admin login superuser password :'admin_pw';
SQL
  local version
  version="$(as_pg "$bin/psql" -X -At -h "$DIR" -p "$port" -U postgres -d postgres -c 'show server_version')"
  log "PostgreSQL $version on 127.0.0.1:$port, data in $DIR/data"
  echo "export TEST_DATABASE_URL='postgresql://cppcc_owner:owner-$secret@127.0.0.1:$port/cppcc'"
  echo "export TEST_DATABASE_ADMIN_URL='postgresql://cppcc_ci_admin:admin-$secret@127.0.0.1:$port/postgres'"
}

case "${1:-}" in
  start) start ;;
  stop) stop_cluster ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
