#!/usr/bin/env bash
# The portal as a city runs it (issue #24; README § 集群部署): this machine's PostgreSQL and Redis,
# N web workers (default 2) sharing state through Redis, one scheduler, behind nginx on one port.
#
#   scripts/cluster.sh up | down | status        (make cluster = up)
#
# Same code and settings as `make run`; what differs is set below and can be overridden:
#   CLUSTER_PORT (8080)   the public port nginx listens on
#   CLUSTER_WORKERS (2)   web worker processes (granian workers of one `reflex run --env prod`)
#   CLUSTER_BACKEND_PORT (3100)  where those workers listen (127.0.0.1 only; nginx is the way in)
#   CLUSTER_UPSTREAMS     "host:port host:port …" when workers run on other hosts (default: the local one)
#   PORTAL_DATABASE_URL   (postgresql+psycopg://postgres@127.0.0.1:5432/portal; created when missing)
#   REFLEX_REDIS_URL      (redis://127.0.0.1:6379/0)
#   PORTAL_PUBLIC_ORIGIN  (http://localhost:$CLUSTER_PORT) the one origin browsers use
#   CLUSTER_STANDBY_SCHEDULER (0)  1: a second scheduler that waits on the lock and takes over when the
#                         first dies (within PORTAL_SCHEDULER_RETRY_SECONDS)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export REFLEX_USE_NPM=1 PATH="$ROOT/.venv/bin:$PATH"
RUN="${CLUSTER_RUN_DIR:-$ROOT/data/cluster}"
CLUSTER_PORT="${CLUSTER_PORT:-8080}"
CLUSTER_WORKERS="${CLUSTER_WORKERS:-2}"
CLUSTER_BACKEND_PORT="${CLUSTER_BACKEND_PORT:-3100}"
CLUSTER_UPSTREAMS="${CLUSTER_UPSTREAMS:-127.0.0.1:$CLUSTER_BACKEND_PORT}"
CLUSTER_STANDBY_SCHEDULER="${CLUSTER_STANDBY_SCHEDULER:-0}"
SCHEDULERS="scheduler"
[ "$CLUSTER_STANDBY_SCHEDULER" = 1 ] && SCHEDULERS="scheduler standby"
export PORTAL_DATABASE_URL="${PORTAL_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/portal}"
export REFLEX_REDIS_URL="${REFLEX_REDIS_URL:-redis://127.0.0.1:6379/0}"
export PORTAL_PUBLIC_ORIGIN="${PORTAL_PUBLIC_ORIGIN:-http://localhost:$CLUSTER_PORT}"
export PORTAL_DEMO_MODE="${PORTAL_DEMO_MODE:-1}"
export PORTAL_TRUSTED_PROXIES="${PORTAL_TRUSTED_PROXIES:-127.0.0.1,::1}"
# Metrics of all workers and the scheduler, added up (prometheus_client multiprocess mode).
export PROMETHEUS_MULTIPROC_DIR="$RUN/metrics"

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

ensure_nginx() {
  command -v nginx >/dev/null && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing nginx-light from Debian"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx-light >/dev/null
}

ensure_database() {
  pg_isready -q -d "${PORTAL_DATABASE_URL/+psycopg/}" || { echo "PostgreSQL 未就绪: $PORTAL_DATABASE_URL" >&2; exit 1; }
  python - <<'EOF'
import os
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

url = make_url(os.environ["PORTAL_DATABASE_URL"])
admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
with admin.connect() as connection:
    if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}).first():
        # pg_trgm needs a UTF-8 ctype for Chinese (DESIGN §9).
        connection.execute(text(f'CREATE DATABASE "{url.database}" TEMPLATE template0 ENCODING \'UTF8\' '
                                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"))
        print(f"created database {url.database}")
admin.dispose()
EOF
}

render_nginx() {
  local upstreams=""
  for upstream in $CLUSTER_UPSTREAMS; do upstreams+="        server $upstream max_fails=1 fail_timeout=5s;\n"; done
  mkdir -p "$RUN/nginx"
  sed -e "s#@PREFIX@#$RUN/nginx#g" -e "s#@LISTEN@#$CLUSTER_PORT#g" -e "s#@UPSTREAMS@#${upstreams%\\n}#" \
    deploy/nginx.conf >"$RUN/nginx/nginx.conf"
  nginx -t -q -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf"
}

wait_healthy() {
  for _ in $(seq 1 900); do
    # 200 (ok) or 503 (degraded, e.g. a job still catching up) both come from a worker; 502 is nginx alone.
    case "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$CLUSTER_PORT/api/health")" in
      200 | 503) return 0 ;;
    esac
    alive web || { echo "web workers exited; see $RUN/web.log" >&2; return 1; }
    sleep 1
  done
  echo "the portal did not answer on :$CLUSTER_PORT; see $RUN/web.log" >&2
  return 1
}

up() {
  ensure_nginx
  redis-cli -u "$REFLEX_REDIS_URL" ping >/dev/null || { echo "Redis 未就绪: $REFLEX_REDIS_URL" >&2; exit 1; }
  ensure_database
  mkdir -p "$RUN"
  rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
  python -m portal.cli migrate
  python -m portal.cli seed-demo --if-empty
  for name in $SCHEDULERS; do
    if ! alive "$name"; then
      setsid python -m portal.jobs >>"$RUN/$name.log" 2>&1 &
      echo $! >"$RUN/$name.pid"
      sleep 1  # the first one started takes the lock; the standby waits
    fi
  done
  if ! alive web; then
    PORT="$CLUSTER_BACKEND_PORT" GRANIAN_WORKERS="$CLUSTER_WORKERS" \
      REFLEX_API_URL="$PORTAL_PUBLIC_ORIGIN" REFLEX_DEPLOY_URL="$PORTAL_PUBLIC_ORIGIN" \
      setsid reflex run --env prod --single-port --backend-host 127.0.0.1 \
      --frontend-port "$CLUSTER_BACKEND_PORT" --backend-port "$CLUSTER_BACKEND_PORT" >>"$RUN/web.log" 2>&1 &
    echo $! >"$RUN/web.pid"
  fi
  render_nginx
  if [ -f "$RUN/nginx/nginx.pid" ] && kill -0 "$(cat "$RUN/nginx/nginx.pid")" 2>/dev/null; then
    nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -s reload
  else
    nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf"
  fi
  wait_healthy
  echo "门户地址: $PORTAL_PUBLIC_ORIGIN  (nginx :$CLUSTER_PORT → $CLUSTER_WORKERS 个进程 @ $CLUSTER_UPSTREAMS;PostgreSQL、Redis、调度器 1 个$([ "$CLUSTER_STANDBY_SCHEDULER" = 1 ] && echo " + 备用 1 个"))"
}

stop_group() {
  local name=$1
  alive "$name" || { rm -f "$RUN/$name.pid"; return 0; }
  local pid
  pid="$(cat "$RUN/$name.pid")"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$RUN/$name.pid"
}

down() {
  if [ -f "$RUN/nginx/nginx.pid" ]; then
    nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -s quit 2>/dev/null || true
  fi
  stop_group web
  stop_group scheduler
  stop_group standby
  echo "集群已停止"
}

status() {
  local code=0
  for name in web $SCHEDULERS; do
    if alive "$name"; then echo "$name: 运行中 (pid $(cat "$RUN/$name.pid"))"; else echo "$name: 未运行"; code=1; fi
  done
  if [ -f "$RUN/nginx/nginx.pid" ] && kill -0 "$(cat "$RUN/nginx/nginx.pid")" 2>/dev/null; then
    echo "nginx: 运行中 (:$CLUSTER_PORT)"
  else
    echo "nginx: 未运行"; code=1
  fi
  # From the local host the health route answers in detail.
  curl -sS "http://127.0.0.1:$CLUSTER_PORT/api/health" || code=1
  echo
  return $code
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
