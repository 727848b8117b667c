#!/usr/bin/env bash
# Brings the whole stack of one profile up: packages, build, PostgreSQL, Redis, migrations,
# the worker pool and nginx. Returns once /health answers through nginx.
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/deps.sh"
build_service
say "starting PostgreSQL (:$PG_PORT) and Redis (:$REDIS_PORT) in $STATE"
"$ROOT/scripts/services.sh" start
say "starting the pools: api $WORKERS workers, checkout $CHECKOUT_WORKERS"
"$ROOT/scripts/pool.sh" start
"$ROOT/scripts/nginx.sh" start
wait_for "the stack" 100 curl -fsS "http://127.0.0.1:$HTTP_PORT/health"
