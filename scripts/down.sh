#!/usr/bin/env bash
# Stops everything one profile started, by the pids it recorded.
source "$(dirname "$0")/lib.sh"
[ -d "$STATE" ] || exit 0
"$ROOT/scripts/nginx.sh" stop || true
"$ROOT/scripts/pool.sh" stop || true
"$ROOT/scripts/services.sh" stop || true
