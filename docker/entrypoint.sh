#!/bin/sh
# Start pm-oauth: migrate, collect static files, optionally bootstrap a workspace, serve.
# Runs in the Docker image and outside it (`make run` uses it too).
#   PM_BOOTSTRAP_WORKSPACE  create this workspace (with an admin) if it does not exist
#   PM_ADMIN_PASSWORD(_FILE) that admin's password (generated and printed when unset)
#   PM_BIND                 address:port to serve on (default 0.0.0.0:8000)
#   WEB_CONCURRENCY         worker processes (default 2: one per core; `make bench-servers` measures)
#   PM_THREADS              Django threads per granian worker (default 2: while one waits on the
#                           database or Redis, the other runs: docs/performance.md)
#   PM_SERVER               granian (default) or gunicorn (sync workers)
# Neither server believes a forwarded header itself: Django does, from PM_TRUSTED_PROXY only.
# Neither writes its own access log: it would hold the path, and ProcessMaker's expire and delete
# routes carry a token in the path. Django's request log (pm.request) names the URL pattern instead.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
export PM_ACCESS_LOG="${PM_ACCESS_LOG:-1}"
# The workers add up their Prometheus counts through a directory that starts empty.
if [ -z "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  PROMETHEUS_MULTIPROC_DIR="$(mktemp -d -t pm-metrics.XXXXXX)"
  export PROMETHEUS_MULTIPROC_DIR
else
  mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
  find "$PROMETHEUS_MULTIPROC_DIR" -mindepth 1 -delete
fi

"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py collectstatic --noinput --verbosity 0
if [ -n "${PM_BOOTSTRAP_WORKSPACE:-}" ]; then
  if [ -n "${PM_ADMIN_PASSWORD_FILE:-}" ]; then
    PM_ADMIN_PASSWORD="$(cat "$PM_ADMIN_PASSWORD_FILE")"
    export PM_ADMIN_PASSWORD
  fi
  "$PYTHON" manage.py createworkspace "$PM_BOOTSTRAP_WORKSPACE" --exist-ok
fi
BIND="${PM_BIND:-0.0.0.0:8000}"
HOST="${BIND%:*}"
PORT="${BIND##*:}"
case "${PM_SERVER:-granian}" in
  granian)
    # Rust HTTP handling in front of PM_THREADS Django threads per worker process: faster than
    # gunicorn's sync workers on tokens and bearer calls (docs/performance.md, bench/servers.py).
    HOST="${HOST#[}"
    exec granian pmsite.wsgi:application \
      --interface wsgi \
      --host "${HOST%]}" --port "$PORT" \
      --workers "${WEB_CONCURRENCY:-2}" \
      --blocking-threads "${PM_THREADS:-2}" \
      --no-ws \
      --respawn-failed-workers \
      --http1-header-read-timeout 30000
    ;;
  gunicorn)
    exec gunicorn pmsite.wsgi \
      --bind "$BIND" \
      --workers "${WEB_CONCURRENCY:-2}" \
      --forwarded-allow-ips ""
    ;;
  *)
    echo "PM_SERVER must be granian or gunicorn, not ${PM_SERVER}" >&2
    exit 2
    ;;
esac
