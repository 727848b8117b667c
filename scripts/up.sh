#!/usr/bin/env bash
# Brings the whole stack of one profile up: packages, build, PostgreSQL, Redis, migrations,
# the worker pool and nginx. Returns once /health answers through nginx.
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/deps.sh"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "building ($BUILD_CONFIG)"
  mkdir -p "$STATE"
  # A failed build must stop here: an older binary left in .build would otherwise start.
  (cd "$ROOT" && swift build -c "$BUILD_CONFIG" --product commerce-fcgi > "$STATE/build.log" 2>&1) ||
    { grep -E 'error' "$STATE/build.log" | head -20 >&2; die "build failed (see $STATE/build.log)"; }
  [ -x "$BIN" ] || die "build failed"
fi
say "starting PostgreSQL (:$PG_PORT) and Redis (:$REDIS_PORT) in $STATE"
"$ROOT/scripts/services.sh" start
say "starting the pools: api $WORKERS workers, checkout $CHECKOUT_WORKERS"
"$ROOT/scripts/pool.sh" start
"$ROOT/scripts/nginx.sh" start
wait_for "the stack" 100 curl -fsS "http://127.0.0.1:$HTTP_PORT/health"
