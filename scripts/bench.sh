#!/usr/bin/env bash
# Benchmarks (`make bench`, `make bench-quick`): installs wrk if missing, starts a throwaway
# PostgreSQL and Redis on loopback (scripts/services.sh), runs bench/run.py against them and
# always stops them again. Arguments go to bench/run.py (e.g. --quick, or --only contention for
# one section alone: see `python -m bench.run --help`); the script exits with its status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v wrk >/dev/null 2>&1; then
    runner=()
    [ "$(id -u)" -eq 0 ] || runner=(sudo)
    echo "bench: installing wrk (Debian package)"
    "${runner[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq update
    "${runner[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -qq \
        --no-install-recommends install wrk
fi

BENCH_TMP="$(mktemp -d -t loti-bench.XXXXXXXX)"
export SERVICES_ENV="$BENCH_TMP/services.env"
cleanup() {
    local rc=$?
    bash scripts/services.sh stop || rc=1
    rm -rf -- "$BENCH_TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

bash scripts/services.sh start >/dev/null
# shellcheck disable=SC1090
source "$SERVICES_ENV"
export DATABASE_URL REDIS_URL
.venv/bin/python -m bench.run "$@"
