#!/usr/bin/env bash
# Run the portal for local use: migrate, load demo data, then the web server, a Celery worker
# and Celery beat together. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBUG="${DEBUG:-true}"
# A local .env (never committed) so `.venv/bin/python manage.py …` works here afterwards too.
if [ ! -f .env ]; then
  printf '# Local development settings (see .env.example for every variable).\nDEBUG=true\n' > .env
  echo "Wrote .env with DEBUG=true for local use."
fi
PY=.venv/bin/python
CELERY=.venv/bin/celery
mkdir -p var

echo "Preparing the database…"
$PY manage.py migrate --noinput -v0
$PY manage.py load_demo

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping the web server, worker and beat…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

$CELERY -A loti_portal worker --loglevel=INFO --concurrency=2 --hostname="portal-worker@%h" &
pids+=($!)
$CELERY -A loti_portal beat --loglevel=INFO --schedule="var/celerybeat-schedule" &
pids+=($!)
$PY manage.py runserver 127.0.0.1:8000 --noreload &
pids+=($!)

sleep 2
cat <<TEXT

  The LOTI Network Portal is running at http://127.0.0.1:8000/

  Demo sign-ins (password for every account: loti-demo-2026)
    staff (admin at /admin/):  networks@loti.london
    members:                   amara.okafor@camden.gov.uk   (Camden)
                               tom.fisher@hackney.gov.uk    (Hackney)
                               daniel.clarke@met.police.uk  (Metropolitan Police)

  Emails are printed here, in the worker's and web server's output.
  Press Ctrl-C to stop.

TEXT
# Stop everything as soon as any one of the three exits.
wait -n "${pids[@]}"
