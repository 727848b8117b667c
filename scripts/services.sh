#!/usr/bin/env bash
# PostgreSQL, Redis, the local SMTP sink and the local fake of Stripe for one profile, private
# to its state folder, on loopback.
#   services.sh start|stop|pg-start|pg-stop|redis-start|redis-stop|smtp-start|smtp-stop|stripe-start|stripe-stop|webhooks-start|webhooks-stop
source "$(dirname "$0")/lib.sh"

REDIS_DIR=$STATE/redis
# PostgreSQL runs as the unprivileged postgres user, who may not be able to reach a checkout
# under a private home (/root): its files then live in a folder of their own under /var/tmp,
# named after this checkout and profile. Its path is recorded so `stop` finds it again.
pg_root() {
  if [ -f "$STATE/pg-root" ]; then cat "$STATE/pg-root"; return; fi
  local root=$STATE/pg
  mkdir -p "$STATE"
  if [ "$(id -u)" = 0 ] && ! runuser -u "$PG_USER" -- test -x "$STATE"; then
    root=/var/tmp/commerce-fcgi-$(printf '%s' "$STATE" | sha256sum | cut -c1-12)
  fi
  echo "$root" > "$STATE/pg-root"
  echo "$root"
}
PGROOT=$(pg_root)
PGDATA=$PGROOT/data
PGSOCK=$PGROOT/sock
PGLOG=$PGROOT/postgres.log

ensure_secrets() {
  mkdir -p "$STATE"
  [ -f "$STATE/db-password" ] || (umask 077; openssl rand -hex 16 > "$STATE/db-password")
  # Test-mode style keys for the fake Stripe; pool.sh hands the same ones to the service.
  [ -f "$STATE/stripe-secret-key" ] || (umask 077; echo "sk_test_$(openssl rand -hex 16)" > "$STATE/stripe-secret-key")
  [ -f "$STATE/stripe-webhook-secret" ] || (umask 077; echo "whsec_$(openssl rand -hex 16)" > "$STATE/stripe-webhook-secret")
}

pg_start() {
  ensure_secrets
  local bin; bin=$(pg_bin)
  mkdir -p "$LOGS" "$PGSOCK"
  chown "$PG_USER" "$PGROOT"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    say "creating PostgreSQL cluster in $PGDATA"
    mkdir -p "$PGDATA"
    chown "$PG_USER" "$PGDATA" "$PGSOCK"
    chmod 700 "$PGDATA"
    local pwfile; pwfile=$(mktemp); echo "postgres-$(cat "$STATE/db-password")" > "$pwfile"; chown "$PG_USER" "$pwfile"
    as_pg "$bin/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$LOGS/initdb.log"
    rm -f "$pwfile"
  fi
  chown "$PG_USER" "$PGSOCK"
  touch "$PGLOG"; chown "$PG_USER" "$PGLOG"
  ln -sf "$PGLOG" "$LOGS/postgres.log"
  if ! as_pg "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 30 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PGSOCK -c max_connections=200 -c shared_buffers=256MB -c fsync=$([ "$PROFILE" = test ] && echo off || echo on)" \
      start >/dev/null
  fi
  # Role and database, once; the password lives in the state folder only.
  local password; password=$(cat "$STATE/db-password")
  as_pg "$bin/psql" -h "$PGSOCK" -p "$PG_PORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
    -v pw="$password" >/dev/null <<'SQL'
SELECT 'CREATE ROLE commerce LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'commerce') \gexec
ALTER ROLE commerce PASSWORD :'pw';
SELECT 'CREATE DATABASE commerce OWNER commerce' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'commerce') \gexec
SQL
}

pg_stop() {
  local bin; bin=$(pg_bin)
  [ -f "$PGDATA/postmaster.pid" ] || return 0
  # pg_ctl reads the postmaster's recorded pid; fast mode disconnects clients at once.
  as_pg "$bin/pg_ctl" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

redis_start() {
  mkdir -p "$REDIS_DIR" "$LOGS"
  if [ -f "$STATE/redis.pid" ] && kill -0 "$(cat "$STATE/redis.pid")" 2>/dev/null; then return 0; fi
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$STATE/redis.pid" \
    --dir "$REDIS_DIR" --logfile "$LOGS/redis.log" --save "" --appendonly no \
    --maxmemory 256mb --maxmemory-policy volatile-lru
  wait_for "Redis" 50 redis-cli -p "$REDIS_PORT" ping
}

redis_stop() { stop_pidfile "$STATE/redis.pid"; }

# Mail the jobs process sends lands in $STATE/mail as .eml files (scripts/smtp-sink.py).
smtp_start() {
  mkdir -p "$LOGS" "$STATE/mail"
  if [ -f "$STATE/smtp.pid" ] && kill -0 "$(cat "$STATE/smtp.pid")" 2>/dev/null; then return 0; fi
  nohup python3 "$ROOT/scripts/smtp-sink.py" --port "$SMTP_PORT" --dir "$STATE/mail" >>"$LOGS/smtp.log" 2>&1 </dev/null &
  echo $! > "$STATE/smtp.pid"
  wait_for "the SMTP sink" 50 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SMTP_PORT"
}
smtp_stop() { stop_pidfile "$STATE/smtp.pid"; }

# Webhooks the jobs process delivers land in $LOGS/webhooks.jsonl (scripts/webhook-sink.py).
webhooks_start() {
  mkdir -p "$LOGS"
  if [ -f "$STATE/webhooks.pid" ] && kill -0 "$(cat "$STATE/webhooks.pid")" 2>/dev/null; then return 0; fi
  nohup python3 "$ROOT/scripts/webhook-sink.py" --port "$WEBHOOK_SINK_PORT" --log "$LOGS/webhooks.jsonl" >>"$LOGS/webhook-sink.log" 2>&1 </dev/null &
  echo $! > "$STATE/webhooks.pid"
  wait_for "the webhook receiver" 50 bash -c "exec 3<>/dev/tcp/127.0.0.1/$WEBHOOK_SINK_PORT"
}
webhooks_stop() { stop_pidfile "$STATE/webhooks.pid"; }

# Stripe's API on loopback (scripts/fake-stripe.py): it delivers signed webhooks to this
# profile's nginx, as Stripe would.
stripe_start() {
  ensure_secrets
  mkdir -p "$LOGS"
  if [ -f "$STATE/stripe.pid" ] && kill -0 "$(cat "$STATE/stripe.pid")" 2>/dev/null; then return 0; fi
  nohup python3 "$ROOT/scripts/fake-stripe.py" --port "$STRIPE_PORT" --secret-key "$(cat "$STATE/stripe-secret-key")" \
    --webhook-secret "$(cat "$STATE/stripe-webhook-secret")" --webhook-url "http://127.0.0.1:$HTTP_PORT/api/stripe/webhook" \
    >>"$LOGS/stripe.log" 2>&1 </dev/null &
  echo $! > "$STATE/stripe.pid"
  wait_for "the fake Stripe" 50 bash -c "exec 3<>/dev/tcp/127.0.0.1/$STRIPE_PORT"
}
stripe_stop() { stop_pidfile "$STATE/stripe.pid"; }

case "${1:-}" in
  start) pg_start; redis_start; smtp_start; stripe_start; webhooks_start ;;
  stop) webhooks_stop; stripe_stop; smtp_stop; redis_stop; pg_stop ;;
  webhooks-start) webhooks_start ;;
  webhooks-stop) webhooks_stop ;;
  smtp-start) smtp_start ;;
  smtp-stop) smtp_stop ;;
  stripe-start) stripe_start ;;
  stripe-stop) stripe_stop ;;
  pg-start) pg_start ;;
  pg-stop) pg_stop ;;
  redis-start) redis_start ;;
  redis-stop) redis_stop ;;
  *) echo "usage: $0 start|stop|pg-start|pg-stop|redis-start|redis-stop|smtp-start|smtp-stop|stripe-start|stripe-stop|webhooks-start|webhooks-stop" >&2; exit 2 ;;
esac
