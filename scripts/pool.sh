#!/usr/bin/env bash
# The worker pool and the jobs process for one profile: writes their environment file,
# migrates, starts `commerce-fcgi serve` and `commerce-fcgi jobs` in the background and
# records their pids.   pool.sh env|start|stop|jobs-start|jobs-stop
source "$(dirname "$0")/lib.sh"

ENV_FILE=$STATE/commerce.env

write_env() {
  mkdir -p "$STATE" "$LOGS" "$STATE/uploads"
  [ -f "$STATE/jwt-secret" ] || (umask 077; openssl rand -hex 32 > "$STATE/jwt-secret")
  [ -f "$STATE/metrics-token" ] || (umask 077; openssl rand -hex 16 > "$STATE/metrics-token")
  local password; password=$(cat "$STATE/db-password")
  # Quoted values: both bash (set -a; source) and systemd's EnvironmentFile= read this form.
  (umask 077; cat > "$ENV_FILE" <<ENV
DATABASE_URL=postgresql://commerce:$password@127.0.0.1:$PG_PORT/commerce
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
JWT_SECRET=$(cat "$STATE/jwt-secret")
METRICS_TOKEN=$(cat "$STATE/metrics-token")
PUBLIC_BASE_URL=http://127.0.0.1:$HTTP_PORT
UPLOAD_DIR=$STATE/uploads
SOCKET_PATH=$STATE/commerce.sock
SCOREBOARD_PATH=$STATE/scoreboard
MIGRATIONS_DIR=$ROOT/migrations
WORKERS=$WORKERS
WORKER_MAX_REQUESTS=${WORKER_MAX_REQUESTS:-10000}
# Stripe: the local fake (services.sh) unless the environment names a real account.
STRIPE_API_BASE=${STRIPE_API_BASE:-http://127.0.0.1:$STRIPE_PORT}
STRIPE_SECRET_KEY=${STRIPE_SECRET_KEY:-$(cat "$STATE/stripe-secret-key")}
STRIPE_WEBHOOK_SECRET=${STRIPE_WEBHOOK_SECRET:-$(cat "$STATE/stripe-webhook-secret")}
SMTP_URL=${SMTP_URL:-smtp://127.0.0.1:$SMTP_PORT}
SMTP_FROM="${SMTP_FROM:-CommerceFCGI <noreply@localhost>}"
CORS_ORIGINS=${CORS_ORIGINS:-http://localhost:3000}
LOG_LEVEL=${LOG_LEVEL:-info}
ENABLE_TEST_ROUTES=$([ "$PROFILE" = test ] && echo true || echo false)
SHUTDOWN_TIMEOUT=${SHUTDOWN_TIMEOUT:-30}
PASSWORD_SCRYPT_LOG_N=${PASSWORD_SCRYPT_LOG_N:-$([ "$PROFILE" = test ] && echo 14 || echo 17)}
MAIL_RETRY_BASE=${MAIL_RETRY_BASE:-$([ "$PROFILE" = test ] && echo 1 || echo 30)}
JOBS_POLL_MS=${JOBS_POLL_MS:-$([ "$PROFILE" = test ] && echo 200 || echo 1000)}
# 8.25 %: unlike 8 %, it gives exact half cents on whole-cent subtotals (2.00 → 0.165), so the
# tests can see half-up rounding.
TAX_RATE=${TAX_RATE:-$([ "$PROFILE" = test ] && echo 0.0825 || echo 0.08)}
ENV
  )
}

start() {
  write_env
  [ -x "$BIN" ] || die "$BIN is missing: build first"
  if [ -f "$STATE/pool.pid" ] && kill -0 "$(cat "$STATE/pool.pid")" 2>/dev/null; then
    say "pool already running (pid $(cat "$STATE/pool.pid"))"; return 0
  fi
  set -a; source "$ENV_FILE"; set +a
  "$BIN" migrate >>"$LOGS/migrate.log" 2>&1 || { tail -5 "$LOGS/migrate.log" >&2; die "migrate failed"; }
  # Demo data on first start (seed-demo does nothing once products exist).
  local demo=${SEED_DEMO_PRODUCTS:-$(case "$PROFILE" in run) echo 300 ;; bench) echo 100000 ;; *) echo 0 ;; esac)}
  if [ "$demo" -gt 0 ]; then
    "$BIN" seed-demo --products "$demo" >>"$LOGS/seed.log" 2>&1 || { tail -5 "$LOGS/seed.log" >&2; die "seed-demo failed"; }
    tail -1 "$LOGS/seed.log" >&2
  fi
  nohup "$BIN" serve >>"$LOGS/pool.log" 2>&1 </dev/null &
  echo $! > "$STATE/pool.pid"
  wait_for "the worker pool" 100 test -S "$STATE/commerce.sock"
  jobs_start
}

jobs_start() {
  if [ -f "$STATE/jobs.pid" ] && kill -0 "$(cat "$STATE/jobs.pid")" 2>/dev/null; then return 0; fi
  set -a; source "$ENV_FILE"; set +a
  nohup "$BIN" jobs >>"$LOGS/jobs.log" 2>&1 </dev/null &
  echo $! > "$STATE/jobs.pid"
}

stop() {
  stop_pidfile "$STATE/jobs.pid" TERM
  stop_pidfile "$STATE/pool.pid" TERM
}

case "${1:-}" in
  env) write_env ;;
  start) start ;;
  stop) stop ;;
  jobs-start) jobs_start ;;
  jobs-stop) stop_pidfile "$STATE/jobs.pid" TERM ;;
  *) echo "usage: $0 env|start|stop|jobs-start|jobs-stop" >&2; exit 2 ;;
esac
