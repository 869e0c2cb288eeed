#!/usr/bin/env bash
# Throwaway PostgreSQL 15 and Redis servers on loopback, for tests and CI.
#
#   scripts/services.sh start    # start both, write the env file, print its path
#   scripts/services.sh stop     # stop exactly the processes `start` recorded, remove their files
#   scripts/services.sh status   # say whether the recorded processes are running
#
# The env file (SERVICES_ENV, default var/services.env) is shell: `source` it to get
# DATABASE_URL and REDIS_URL. Ports are picked free at start, never the defaults, because other
# servers may already listen on this machine. Processes are stopped by their recorded pid only,
# after checking the pid still belongs to the server we started.
#
# Settings (environment):
#   SERVICES_ENV      where to write the env file (default: <repo>/var/services.env)
#   PG_BIN            PostgreSQL binaries (default: /usr/lib/postgresql/15/bin)
#   SERVICES_TIMEOUT  seconds to wait for each server to answer (default: 30)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES_ENV="${SERVICES_ENV:-$REPO_ROOT/var/services.env}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
SERVICES_TIMEOUT="${SERVICES_TIMEOUT:-30}"
STATE_PREFIX="loti-services."
DB_NAME=loti
DB_USER=loti

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

APT_UPDATED=0
apt_install() {
    # Install Debian packages; `apt-get update` runs at most once per invocation.
    local runner=()
    if ! is_root; then
        command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: $*"
        runner=(sudo)
    fi
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: $*"
    # Wait up to 10 minutes if another apt/dpkg holds the lock instead of failing at once.
    local apt_opts=(-o DPkg::Lock::Timeout=600 -y --no-install-recommends)
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        "${runner[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq update \
            || die "apt-get update failed"
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    "${runner[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" -qq install "$@" \
        || die "apt-get install $* failed"
}

ensure_binaries() {
    local missing=()
    [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] || missing+=(postgresql-15)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
    [ -x "$PG_BIN/initdb" ] || die "PostgreSQL binaries not found in $PG_BIN after installing postgresql-15"
    command -v redis-server >/dev/null 2>&1 || die "redis-server not found after installing it"
}

free_port() {
    # Bind port 0 on loopback and report what the kernel picked; the socket closes at once.
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

random_token() {
    python3 -c 'import secrets; print(secrets.token_hex(16))'
}

as_postgres() {
    # initdb and the postmaster refuse to run as root: run them as the `postgres` system user.
    # Working directory is the state dir so `postgres` can read it (the caller's may be private).
    if is_root; then
        (cd "$STATE_DIR" && runuser -u postgres -- "$@")
    else
        (cd "$STATE_DIR" && "$@")
    fi
}

pid_alive() {
    # Running, and not a zombie waiting for its parent to reap it.
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
    local state
    state="$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null || true)"
    [ "$state" != "Z" ]
}

pid_matches() {
    # Is $1 still the process we started? (guards against a recycled pid)
    local pid="$1" pattern="$2" cmdline
    pid_alive "$pid" || return 1
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    [[ "$cmdline" == *"$pattern"* ]]
}

stop_pid() {
    # stop_pid NAME PID PATTERN SIGNAL: send SIGNAL, wait, then SIGKILL if still there.
    local name="$1" pid="$2" pattern="$3" signal="$4" waited=0
    if [ -z "$pid" ]; then
        return 0
    fi
    if ! pid_matches "$pid" "$pattern"; then
        log "$name (pid $pid) is not running"
        return 0
    fi
    log "stopping $name (pid $pid)"
    kill "-$signal" "$pid" 2>/dev/null || true
    while pid_alive "$pid"; do
        if [ "$waited" -ge $((SERVICES_TIMEOUT * 10)) ]; then
            log "$name (pid $pid) did not stop in ${SERVICES_TIMEOUT}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.2
            break
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    if pid_alive "$pid"; then
        log "warning: $name (pid $pid) is still running"
        return 1
    fi
}

remove_state_dir() {
    local dir="$1"
    # Only ever remove a directory this script made.
    case "$(basename "$dir")" in
        "$STATE_PREFIX"*) ;;
        *) log "not removing $dir: not a ${STATE_PREFIX}* directory"; return 0 ;;
    esac
    [ -d "$dir" ] || return 0
    rm -rf -- "$dir"
}

write_env_file() {
    mkdir -p "$(dirname "$SERVICES_ENV")"
    local tmp="$SERVICES_ENV.tmp.$$"
    {
        echo "# Written by scripts/services.sh start on $(date -u +%Y-%m-%dT%H:%M:%SZ)."
        echo "# Source it for DATABASE_URL and REDIS_URL; 'scripts/services.sh stop' stops these pids."
        printf 'export DATABASE_URL=%q\n' "${DATABASE_URL:-}"
        printf 'export REDIS_URL=%q\n' "${REDIS_URL:-}"
        printf 'export SERVICES_STATE_DIR=%q\n' "$STATE_DIR"
        printf 'export SERVICES_POSTGRES_PID=%q\n' "${POSTGRES_PID:-}"
        printf 'export SERVICES_POSTGRES_PORT=%q\n' "${PG_PORT:-}"
        printf 'export SERVICES_POSTGRES_DATA=%q\n' "${PGDATA_DIR:-}"
        printf 'export SERVICES_REDIS_PID=%q\n' "${REDIS_PID:-}"
        printf 'export SERVICES_REDIS_PORT=%q\n' "${REDIS_PORT:-}"
    } >"$tmp"
    chmod 600 "$tmp"
    mv -f "$tmp" "$SERVICES_ENV"
}

wait_until() {
    # wait_until DESCRIPTION COMMAND...: retry COMMAND every 0.2 s up to SERVICES_TIMEOUT seconds.
    local what="$1" tries=0
    shift
    until "$@" >/dev/null 2>&1; do
        tries=$((tries + 1))
        if [ "$tries" -ge $((SERVICES_TIMEOUT * 5)) ]; then
            log "$what did not answer within ${SERVICES_TIMEOUT}s"
            return 1
        fi
        sleep 0.2
    done
}

start_postgres() {
    PGDATA_DIR="$STATE_DIR/pgdata"
    # socket and log live in a postgres-owned folder: the server writes both as that user.
    local socket_dir="$STATE_DIR/pgrun" pglog="$STATE_DIR/pgrun/postgres.log"
    mkdir -p "$PGDATA_DIR" "$socket_dir"
    if is_root; then
        id postgres >/dev/null 2>&1 || die "system user 'postgres' not found (is postgresql-15 installed?)"
        chown postgres:postgres "$PGDATA_DIR" "$socket_dir"
    fi
    chmod 700 "$PGDATA_DIR"

    log "initdb in $PGDATA_DIR"
    if ! as_postgres "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --no-locale \
        --auth-local=trust --auth-host=scram-sha-256 >"$STATE_DIR/initdb.log" 2>&1; then
        cat "$STATE_DIR/initdb.log" >&2
        die "initdb failed"
    fi

    PG_PORT="$(free_port)"
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    # fsync/synchronous_commit/full_page_writes off: a crash loses this throwaway data, which is fine.
    if ! as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$pglog" -w -t "$SERVICES_TIMEOUT" \
        -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$socket_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >"$STATE_DIR/pg_ctl.log" 2>&1; then
        cat "$STATE_DIR/pg_ctl.log" >&2
        tail -n 30 "$pglog" >&2 2>/dev/null || true
        POSTGRES_PID="$(head -n 1 "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true)"
        write_env_file
        die "PostgreSQL did not start (log: $pglog)"
    fi
    POSTGRES_PID="$(head -n 1 "$PGDATA_DIR/postmaster.pid")"
    write_env_file  # record the pid now so a failure below can still be cleaned up
    if ! wait_until "PostgreSQL" "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres; then
        tail -n 30 "$pglog" >&2 || true
        die "PostgreSQL is not accepting connections on 127.0.0.1:$PG_PORT"
    fi

    local password
    password="$(random_token)"
    log "creating role $DB_USER and database $DB_NAME"
    if ! as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$socket_dir" -p "$PG_PORT" -U postgres -d postgres \
        -c "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$password'" \
        -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >"$STATE_DIR/psql.log" 2>&1; then
        cat "$STATE_DIR/psql.log" >&2
        die "could not create the $DB_USER role and database"
    fi
    DATABASE_URL="postgres://$DB_USER:$password@127.0.0.1:$PG_PORT/$DB_NAME"
}

start_redis() {
    local redis_dir="$STATE_DIR/redis" pidfile="$STATE_DIR/redis/redis.pid" tries=0
    mkdir -p "$redis_dir"
    REDIS_PORT="$(free_port)"
    while [ "$REDIS_PORT" = "$PG_PORT" ]; do REDIS_PORT="$(free_port)"; done
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    # Bounded like production (docker-compose.yml): only keys that expire are evicted.
    if ! redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --maxmemory "${SERVICES_REDIS_MAXMEMORY:-256mb}" --maxmemory-policy volatile-lru \
        --daemonize yes --pidfile "$pidfile" --dir "$redis_dir" --logfile "$redis_dir/redis.log" \
        >"$redis_dir/start.log" 2>&1; then
        cat "$redis_dir/start.log" >&2
        die "redis-server failed to start"
    fi
    # With --daemonize the pidfile appears shortly after the command returns.
    until [ -s "$pidfile" ]; do
        tries=$((tries + 1))
        if [ "$tries" -ge $((SERVICES_TIMEOUT * 10)) ]; then
            tail -n 30 "$redis_dir/redis.log" >&2 || true
            die "Redis wrote no pidfile within ${SERVICES_TIMEOUT}s (log: $redis_dir/redis.log)"
        fi
        sleep 0.1
    done
    REDIS_PID="$(cat "$pidfile")"
    write_env_file
    if ! wait_until "Redis" sh -c "[ \"\$(redis-cli -h 127.0.0.1 -p $REDIS_PORT ping)\" = PONG ]"; then
        tail -n 30 "$redis_dir/redis.log" >&2 || true
        die "Redis is not answering PING on 127.0.0.1:$REDIS_PORT"
    fi
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

cmd_start() {
    if [ -f "$SERVICES_ENV" ]; then
        # shellcheck disable=SC1090
        (
            source "$SERVICES_ENV"
            pid_matches "${SERVICES_POSTGRES_PID:-}" "${SERVICES_POSTGRES_DATA:-postgres}" \
                || pid_matches "${SERVICES_REDIS_PID:-}" redis-server
        ) && die "services from $SERVICES_ENV are still running; run '$0 stop' first"
        log "removing stale $SERVICES_ENV"
        cmd_stop
    fi
    ensure_binaries

    STATE_DIR="$(mktemp -d -t "${STATE_PREFIX}XXXXXXXX")"
    chmod 755 "$STATE_DIR"  # the postgres user must traverse it
    POSTGRES_PID="" REDIS_PID="" PG_PORT="" REDIS_PORT="" DATABASE_URL="" REDIS_URL="" PGDATA_DIR=""
    write_env_file
    # Any failure from here on stops what was started and removes the state dir.
    trap 'rc=$?; if [ $rc -ne 0 ]; then log "start failed; cleaning up"; cmd_stop || true; fi' EXIT

    start_postgres
    start_redis
    write_env_file
    trap - EXIT

    log "PostgreSQL pid $POSTGRES_PID on 127.0.0.1:$PG_PORT, Redis pid $REDIS_PID on 127.0.0.1:$REDIS_PORT"
    log "env file: $SERVICES_ENV (source it; '$0 stop' when done)"
    echo "$SERVICES_ENV"
}

cmd_stop() {
    if [ ! -f "$SERVICES_ENV" ]; then
        log "nothing to stop ($SERVICES_ENV not found)"
        return 0
    fi
    local SERVICES_POSTGRES_PID="" SERVICES_REDIS_PID="" SERVICES_STATE_DIR="" SERVICES_POSTGRES_DATA=""
    # shellcheck disable=SC1090
    source "$SERVICES_ENV"
    local rc=0
    # SIGINT is PostgreSQL's "fast" shutdown: roll back open sessions and exit.
    stop_pid PostgreSQL "$SERVICES_POSTGRES_PID" "${SERVICES_POSTGRES_DATA:-postgres}" INT || rc=1
    stop_pid Redis "$SERVICES_REDIS_PID" "redis-server" TERM || rc=1
    if [ "$rc" -eq 0 ]; then
        [ -n "$SERVICES_STATE_DIR" ] && remove_state_dir "$SERVICES_STATE_DIR"
        rm -f -- "$SERVICES_ENV"
        log "stopped"
    else
        log "some processes are still running; kept $SERVICES_ENV and $SERVICES_STATE_DIR"
    fi
    return "$rc"
}

cmd_status() {
    if [ ! -f "$SERVICES_ENV" ]; then
        echo "not started ($SERVICES_ENV not found)"
        return 1
    fi
    # shellcheck disable=SC1090
    source "$SERVICES_ENV"
    local rc=0
    if pid_matches "${SERVICES_POSTGRES_PID:-}" "${SERVICES_POSTGRES_DATA:-postgres}"; then
        echo "PostgreSQL running: pid $SERVICES_POSTGRES_PID, port $SERVICES_POSTGRES_PORT"
    else
        echo "PostgreSQL not running"; rc=1
    fi
    if pid_matches "${SERVICES_REDIS_PID:-}" redis-server; then
        echo "Redis running: pid $SERVICES_REDIS_PID, port $SERVICES_REDIS_PORT"
    else
        echo "Redis not running"; rc=1
    fi
    return "$rc"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
