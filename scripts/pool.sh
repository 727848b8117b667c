#!/usr/bin/env bash
# The worker pool and the jobs process for one profile: writes their environment file,
# migrates, starts `commerce-fcgi serve` and `commerce-fcgi jobs` in the background and
# records their pids.   pool.sh env|start|stop|jobs-start|jobs-stop
source "$(dirname "$0")/lib.sh"

ENV_FILE=$STATE/commerce.env

# A value as both bash (set -a; source) and systemd's EnvironmentFile= read it: double
# quotes, with backslash, quote, dollar and backquote escaped.
quote() {
  local v=$1
  v=${v//\\/\\\\}; v=${v//\"/\\\"}; v=${v//\$/\\\$}; v=${v//\`/\\\`}
  printf '"%s"' "$v"
}

# NAME DEFAULT: the environment's value when it sets one (API.md §11: `make run` honours every
# setting it is given), else this profile's default.
setting() {
  local name=$1 default=$2
  printf '%s=%s\n' "$name" "$(quote "${!name-$default}")"
}

# Settings this script has no default for, written only when the environment gives them.
PASSTHROUGH=(CHECKOUT_REQUEST_TIMEOUT CHECKOUT_MAX_REQUESTS STRIPE_BREAKER_WINDOW JWT_ACCESS_TTL JWT_REFRESH_TTL SESSION_CACHE_TTL UPLOAD_MAX_BYTES CURRENCY SHIPPING_FLAT FREE_SHIPPING_MIN
  ORDER_PAYMENT_TIMEOUT CACHE_TTL CACHE_MAX_ENTRIES CATALOG_CACHE_SCOPE MAIL_MAX_ATTEMPTS DB_STATEMENT_TIMEOUT_MS REDIS_TIMEOUT_MS
  SLOW_REQUEST_MS LISTEN_BACKLOG SCOREBOARD_SLOTS SOCKET_MODE GUEST_CART_TTL AUDIT_RETENTION WEBHOOK_MAX_ATTEMPTS
  API_LISTEN CHECKOUT_LISTEN FASTCGI_ALLOWED_ADDRESSES DATABASE_READ_URL REPLICA_MAX_LAG)

write_env() {
  mkdir -p "$STATE" "$LOGS" "$STATE/uploads"
  [ -f "$STATE/jwt-secret" ] || (umask 077; openssl rand -hex 32 > "$STATE/jwt-secret")
  [ -f "$STATE/metrics-token" ] || (umask 077; openssl rand -hex 16 > "$STATE/metrics-token")
  local password; password=$(cat "$STATE/db-password")
  local test=0; [ "$PROFILE" = test ] && test=1
  (umask 077
   {
    setting DATABASE_URL "postgresql://commerce:$password@127.0.0.1:$PG_PORT/commerce"
    setting REDIS_URL "redis://127.0.0.1:$REDIS_PORT/0"
    setting JWT_SECRET "$(cat "$STATE/jwt-secret")"
    setting METRICS_TOKEN "$(cat "$STATE/metrics-token")"
    setting PUBLIC_BASE_URL "http://127.0.0.1:$HTTP_PORT"
    setting UPLOAD_DIR "$STATE/uploads"
    setting SOCKET_PATH "$STATE/commerce.sock"
    setting CHECKOUT_SOCKET_PATH "$STATE/commerce-checkout.sock"
    setting SCOREBOARD_PATH "$STATE/scoreboard"
    setting MIGRATIONS_DIR "$ROOT/migrations"
    # Two pools (DESIGN.md §7b): routes that call Stripe during the request get their own.
    setting API_WORKERS "$WORKERS"
    setting CHECKOUT_WORKERS "$CHECKOUT_WORKERS"
    setting WORKER_MAX_REQUESTS 10000
    # Stripe: the local fake (services.sh) unless the environment names a real account.
    setting STRIPE_API_BASE "http://127.0.0.1:$STRIPE_PORT"
    setting STRIPE_SECRET_KEY "$(cat "$STATE/stripe-secret-key" 2>/dev/null)"
    setting STRIPE_WEBHOOK_SECRET "$(cat "$STATE/stripe-webhook-secret" 2>/dev/null)"
    setting SMTP_URL "smtp://127.0.0.1:$SMTP_PORT"
    setting SMTP_FROM "CommerceFCGI <noreply@localhost>"
    setting CORS_ORIGINS "http://localhost:3000"
    # This nginx runs as whoever started it (nginx.sh): REMOTE_ADDR is believed from that user.
    setting NGINX_USER "$(id -un)"
    setting LOG_LEVEL info
    setting COMMERCE_PROFILE "$PROFILE"
    setting ENABLE_TEST_ROUTES "$([ $test = 1 ] && echo true || echo false)"
    setting SHUTDOWN_TIMEOUT 30
    setting PASSWORD_SCRYPT_LOG_N "$([ $test = 1 ] && echo 14 || echo 17)"
    setting MAIL_RETRY_BASE "$([ $test = 1 ] && echo 1 || echo 30)"
    setting JOBS_POLL_MS "$([ $test = 1 ] && echo 200 || echo 1000)"
    # The local receiver is on loopback over http; tests retry within seconds.
    setting WEBHOOK_ALLOW_PRIVATE true
    # Not read by the service: where the local receiver listens, for people and tests.
    setting WEBHOOK_SINK_URL "http://127.0.0.1:$WEBHOOK_SINK_PORT"
    setting WEBHOOK_RETRY_BASE_SECONDS "$([ $test = 1 ] && echo 1 || echo 60)"
    # 8.25 %: unlike 8 %, it gives exact half cents on whole-cent subtotals (2.00 → 0.165), so the
    # tests can see half-up rounding.
    setting TAX_RATE "$([ $test = 1 ] && echo 0.0825 || echo 0.08)"
    # A request past this is killed with its worker (the tests check it with a 10 s sleep).
    setting API_REQUEST_TIMEOUT "$([ $test = 1 ] && echo 8 || echo 60)"
    # Stripe's part of a checkout, and the breaker that stops calling it: short in the tests,
    # which make Stripe hang and fail on purpose.
    setting STRIPE_REQUEST_BUDGET "$([ $test = 1 ] && echo 4 || echo 8)"
    setting STRIPE_BREAKER_FAILURES "$([ $test = 1 ] && echo 3 || echo 5)"
    setting STRIPE_BREAKER_COOLDOWN "$([ $test = 1 ] && echo 3 || echo 30)"
    # The checkout bench orders again and again without paying.
    setting MAX_PENDING_ORDERS "$([ "$PROFILE" = bench ] && echo 0 || echo 5)"
    for name in "${PASSTHROUGH[@]}"; do
      if [ -n "${!name+set}" ]; then setting "$name" ""; fi
    done
   } > "$ENV_FILE")
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
  wait_for "the worker pool" 100 listening "${API_LISTEN:-}" "$STATE/commerce.sock"
  if [ "$CHECKOUT_WORKERS" -gt 0 ]; then wait_for "the checkout pool" 100 listening "${CHECKOUT_LISTEN:-}" "$STATE/commerce-checkout.sock"; fi
  jobs_start
}

# ADDRESS SOCKET: the pool listens on TCP ADDRESS (HOST:PORT) when one is given, else on SOCKET.
listening() {
  if [ -n "$1" ]; then ss -Hltn "sport = :${1##*:}" | grep -q .; else test -S "$2"; fi
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
