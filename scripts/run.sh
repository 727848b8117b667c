#!/usr/bin/env bash
# `make run` (foreground, Ctrl-C stops everything) and `make run-detached`.
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/up.sh"
cat <<MSG

CommerceFCGI is up (api pool: $WORKERS workers, checkout pool: $CHECKOUT_WORKERS):
  API        http://127.0.0.1:$HTTP_PORT/api/health/ready
  HTTPS      https://127.0.0.1:$HTTPS_PORT/health   (self-signed certificate)
  API docs   http://127.0.0.1:$HTTP_PORT/api/docs
  Metrics    http://127.0.0.1:$HTTP_PORT/api/metrics
  Logs       $LOGS/pool.log (JSON lines), nginx-*.log
  Pools      kill -HUP \$(cat $STATE/pool.pid)   replaces the workers one by one
             $BIN status --env-file $STATE/commerce.env   every worker, as php-fpm's status?full
  Mail       $STATE/mail/*.eml   (what the jobs process sent to the local SMTP sink)
  Webhooks   $LOGS/webhooks.jsonl  (what jobs delivered to the local receiver: POST http://127.0.0.1:$WEBHOOK_SINK_PORT/any-path)

  Make an admin (the only way to get one):
    echo 'a long admin password' | $BIN create-admin --env-file $STATE/commerce.env --email admin@example.com
MSG

if [ "${1:-}" = "--detached" ]; then
  echo "  Stop with  make stop"
  exit 0
fi
echo "  Ctrl-C stops everything."
trap '"$ROOT/scripts/down.sh"; exit 0' INT TERM
pool=$(cat "$STATE/pool.pid")
while kill -0 "$pool" 2>/dev/null; do sleep 1; done
say "the pool exited; stopping the rest"
"$ROOT/scripts/down.sh"
