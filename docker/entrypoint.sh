#!/bin/sh
# Start pm-oauth: migrate, collect static files, optionally bootstrap a workspace, serve.
# Runs in the Docker image and outside it (`make run` uses it too).
#   PM_BOOTSTRAP_WORKSPACE  create this workspace (with an admin) if it does not exist
#   PM_ADMIN_PASSWORD(_FILE) that admin's password (generated and printed when unset)
#   PM_BIND                 address:port for gunicorn (default 0.0.0.0:8000)
#   WEB_CONCURRENCY         gunicorn workers (default 2)
# gunicorn believes no forwarded header itself: Django does, from PM_TRUSTED_PROXY only.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"

"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py collectstatic --noinput --verbosity 0
if [ -n "${PM_BOOTSTRAP_WORKSPACE:-}" ]; then
  if [ -n "${PM_ADMIN_PASSWORD_FILE:-}" ]; then
    PM_ADMIN_PASSWORD="$(cat "$PM_ADMIN_PASSWORD_FILE")"
    export PM_ADMIN_PASSWORD
  fi
  "$PYTHON" manage.py createworkspace "$PM_BOOTSTRAP_WORKSPACE" --exist-ok
fi
exec gunicorn pmsite.wsgi \
  --bind "${PM_BIND:-0.0.0.0:8000}" \
  --workers "${WEB_CONCURRENCY:-2}" \
  --access-logfile - \
  --forwarded-allow-ips ""
