#!/usr/bin/env bash
# `make bench`: GET /health, an authenticated GET /api/users/me, catalog reads (100,000
# products), checkouts and logins through nginx →
# FastCGI pool, against two ceilings measured in the same run on the same nginx: a static
# file, and a minimal C libfcgi responder with as many processes as the pool has workers.
# Also the resident memory of an idle and a loaded worker.
export PROFILE=bench
source "$(dirname "$0")/../scripts/lib.sh"

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-"16 64"}
OUT=$ROOT/bench/results
mkdir -p "$OUT" "$STATE"

say "building the C ceiling responder"
cc -O2 -o "$STATE/responder" "$ROOT/bench/ceiling/responder.c" -lfcgi
echo '{"status":"ok"}' > "$STATE/static.json"

# Two extra locations on the same nginx: the static file and the C responder.
export EXTRA_LOCATIONS="location = /bench/static.json { alias $STATE/static.json; default_type application/json; } location = /bench/c-health { include /etc/nginx/fastcgi_params; fastcgi_pass unix:$STATE/ceiling.sock; }"
trap '"$ROOT/scripts/down.sh"; [ -f "$STATE/responder.pid" ] && kill "$(cat "$STATE/responder.pid")" 2>/dev/null; rm -f "$STATE/responder.pid"' EXIT
"$ROOT/scripts/down.sh" || true
"$ROOT/scripts/up.sh"
say "resetting what earlier runs left (bench/reset.sql), then restarting the pools on a clean catalog"
set -a; source "$STATE/commerce.env"; set +a
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -f "$ROOT/bench/reset.sql" >/dev/null
"$ROOT/scripts/pool.sh" stop
"$ROOT/scripts/pool.sh" start
"$STATE/responder" "$STATE/ceiling.sock" "$WORKERS" & echo $! > "$STATE/responder.pid"
wait_for "the C responder" 50 curl -fsS "http://127.0.0.1:$HTTP_PORT/bench/c-health"

source "$ROOT/bench/lib.sh"

declare -A hang_orders
idle=$(workers_rss)
checkout_summary=""
base=http://127.0.0.1:$HTTP_PORT
results=()
for c in $CONNECTIONS; do
  for _ in 1 2; do curl -fsS "$base/health" >/dev/null; done
  results+=("$(run_wrk "nginx static file" "$base/bench/static.json" "$c")")
  results+=("$(run_wrk "C libfcgi responder" "$base/bench/c-health" "$c")")
  results+=("$(run_wrk "Swift pool GET /health" "$base/health" "$c")")
done

# Accounts: an authenticated read (JWT verify + session check in Redis + one user row) and
# logins, whose cost is the scrypt hash (PASSWORD_SCRYPT_LOG_N, 17 by default).
email="bench-$(date +%s%N)@example.com"
token=$(curl -fsS -H 'Content-Type: application/json' "$base/api/auth/register" \
  -d "{\"email\":\"$email\",\"password\":\"bench password 1\",\"firstName\":\"Bench\",\"lastName\":\"User\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["accessToken"])')
for c in $CONNECTIONS; do
  results+=("$(run_vs_ceiling "Swift pool GET /api/users/me" "$base/api/users/me" "$c" -H "Authorization: Bearer $token")")
done
# Catalog (100,000 products from seed-demo): the cached first page (plain and gzip), a filtered
# search (cached, and uncached through the admin view, which always asks PostgreSQL), and a
# product page.
admin_email="bench-admin-$(date +%s%N)@example.com"
ADMIN_PASSWORD="bench admin password" "$BIN" create-admin --email "$admin_email" >/dev/null
admin_token=$(curl -fsS -H 'Content-Type: application/json' "$base/api/auth/login" \
  -d "{\"email\":\"$admin_email\",\"password\":\"bench admin password\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["accessToken"])')
search="search=juniper%20parka&category=clothing&minPrice=50&maxPrice=400"
slug=$(curl -fsS "$base/api/products?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["slug"])')
for c in $CONNECTIONS; do
  results+=("$(run_vs_ceiling "Swift pool GET /api/products (cached)" "$base/api/products" "$c")")
  results+=("$(run_vs_ceiling "Swift pool GET /api/products (cached, gzip)" "$base/api/products" "$c" -H "Accept-Encoding: gzip")")
  results+=("$(run_vs_ceiling "Swift pool GET /api/products/:slug (cached)" "$base/api/products/$slug" "$c")")
done
page_bytes="$(curl -fsS -o /dev/null -w '%{size_download}' "$base/api/products") bytes plain, $(curl -fsS -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "$base/api/products") bytes with Accept-Encoding: gzip"
results+=("$(run_vs_ceiling "Swift pool filtered search (cached)" "$base/api/products?$search" 16)")
results+=("$(run_vs_ceiling "Swift pool filtered search (PostgreSQL)" "$base/api/products?$search&includeInactive=true" 16 -H "Authorization: Bearer $admin_token")")
results+=("$(run_vs_ceiling "Swift pool first page (PostgreSQL)" "$base/api/products?includeInactive=true" 16 -H "Authorization: Bearer $admin_token")")
# API.md §12.3: the first page with facets (cached; and from PostgreSQL, three grouped counts
# over every product, through the admin view), a typo search, and autocomplete.
results+=("$(run_vs_ceiling "Swift pool first page with facets (cached)" "$base/api/products?facets=true" 16)")
results+=("$(run_vs_ceiling "Swift pool first page with facets (PostgreSQL)" "$base/api/products?facets=true&includeInactive=true" 16 -H "Authorization: Bearer $admin_token")")
results+=("$(run_vs_ceiling "Swift pool typo search 'jnuiper parak' (PostgreSQL)" "$base/api/products?search=jnuiper%20parak&includeInactive=true" 16 -H "Authorization: Bearer $admin_token")")
results+=("$(run_vs_ceiling "Swift pool GET /api/products/suggest?q=jun (cached)" "$base/api/products/suggest?q=jun" 16)")
category=$(psql "$DATABASE_URL" -Atc "SELECT id FROM categories WHERE slug = 'clothing'")
psql "$DATABASE_URL" -v category="$category" -v search='juniper parka' -f "$ROOT/bench/explain.sql" > "$OUT/explain-$(date -u +%Y%m%dT%H%M%SZ).txt" 2>&1


# The shop as it is used: a catalog mix read-only and during sales, and checkouts spread over
# 100 products and on one hot row (bench/sales.sh).
source "$ROOT/bench/sales.sh"

# A hanging payment provider (issue 8): the cached catalog page at 16 connections while 8
# shoppers check out against a Stripe that never answers (the fake's "hang" mode), beside the
# same page with the same 8 shoppers checking out against a Stripe that answers. The checkouts
# can only ever occupy the checkout pool; the breaker opens after STRIPE_BREAKER_FAILURES.
hang_tokens=$(shoppers 8)
stripe_mode() { curl -fsS -H 'Content-Type: application/json' "http://127.0.0.1:$STRIPE_PORT/_control/mode" -d "{\"mode\":\"$1\"}" >/dev/null; }
for mode in ok hang; do
  stripe_mode "$mode"
  orders_before=$(orders_count)
  BENCH_TOKENS=$hang_tokens BENCH_PRODUCTS=$hot_product wrk -t8 -c8 -d"$DURATION" -s "$ROOT/bench/checkout.lua" "$base/api/orders" > "$STATE/hang-$mode.txt" &
  shoppers_pid=$!
  results+=("$(run_wrk "Swift pool GET /api/products (cached), 8 checkouts in flight, Stripe $mode" "$base/api/products" 16)")
  wait "$shoppers_pid" || true
  hang_orders[$mode]=$(( $(orders_count) - orders_before ))
done
stripe_mode ok

# Hostile bodies (issue 7): a JSON object of 100,000 keys in 0.85 MB, sent without a login to
# /api/auth/login, beside a 1 KB body refused the same way (unknown fields); then /health while
# four of the large bodies are in flight at all times, beside /health alone from the top of the run.
python3 - "$STATE" <<'PY'
import sys
def b36(i, digits="0123456789abcdefghijklmnopqrstuvwxyz"):
    out = ""
    while True:
        out = digits[i % 36] + out
        i //= 36
        if i == 0: return out
state = sys.argv[1]
open(state + "/many-keys.json", "w").write("{" + ",".join('"%s":0' % b36(i) for i in range(100_000)) + "}")
open(state + "/small-body.json", "w").write("{" + ",".join('"field%02d":"%s"' % (i, "x" * 8) for i in range(48)) + "}")
PY
results+=("$(BENCH_BODY_FILE=$STATE/many-keys.json run_wrk "POST /api/auth/login, 100,000 keys in 0.85 MB (400)" "$base/api/auth/login" 4 -s "$ROOT/bench/post-file.lua")")
results+=("$(BENCH_BODY_FILE=$STATE/small-body.json run_wrk "POST /api/auth/login, 1 KB of 48 unknown fields (400)" "$base/api/auth/login" 4 -s "$ROOT/bench/post-file.lua")")
BENCH_BODY_FILE=$STATE/many-keys.json wrk -t1 -c4 -d"$DURATION" -s "$ROOT/bench/post-file.lua" "$base/api/auth/login" > "$STATE/hostile-wrk.txt" &
hostile=$!
sleep 1
results+=("$(run_wrk "Swift pool GET /health, 4 large bodies in flight" "$base/health" 16)")
wait "$hostile" || true
hostile_rate=$(awk '/Requests\/sec/ {print $2}' "$STATE/hostile-wrk.txt")

export BENCH_BODY="{\"email\":\"$email\",\"password\":\"bench password 1\"}"
for c in 1 $WORKERS; do
  results+=("$(run_wrk "Swift pool POST /api/auth/login" "$base/api/auth/login" "$c" -s "$ROOT/bench/post-json.lua")")
done
sleep 2  # let the last logins' scrypt finish before reading memory
loaded=$(workers_rss)

# API.md §12.8: 100,000 new products from a CSV file in one import, then the whole catalog
# exported. Last, so no scenario above reads the larger catalog; bench/reset.sql deletes them
# at the next run.
python3 - "$STATE/import.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    out.write("sku,name,description,price,stockQuantity,categorySlug\n")
    for i in range(100000):
        out.write(f"BENCH-IMPORT-{i:06d},Imported Bench Lantern {i},Imported for the bench,{10 + i % 490}.99,{i % 50},tents\n")
PY
started=$(date +%s.%N)
"$BIN" catalog import --env-file "$STATE/commerce.env" "$STATE/import.csv" > "$OUT/import.txt" 2>&1 || true
imported=$(date +%s.%N)
"$BIN" catalog export --env-file "$STATE/commerce.env" --out "$STATE/export.csv" 2>>"$OUT/import.txt" || true
exported=$(date +%s.%N)
import_summary="$(tail -n 1 "$OUT/import.txt") in $(awk -v a="$started" -v b="$imported" 'BEGIN { printf "%.1f", b - a }') s; export of $(($(wc -l < "$STATE/export.csv") - 1)) products ($(du -h "$STATE/export.csv" | cut -f1)) in $(awk -v a="$imported" -v b="$exported" 'BEGIN { printf "%.1f", b - a }') s"

report=$OUT/bench-$(date -u +%Y%m%dT%H%M%SZ).md
{
  echo "# Through nginx ($WORKERS api + $CHECKOUT_WORKERS checkout workers, scrypt ln=$(grep -o 'PASSWORD_SCRYPT_LOG_N="*[0-9]*' "$STATE/commerce.env" | tr -dc '0-9'), wrk -t2 for $DURATION, $(nproc) cores)"
  echo
  echo "| scenario | connections | req/s | p50 | p99 | errors | vs C ceiling | steal |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  for r in "${results[@]}"; do
    IFS='|' read -r name c rps p50 p99 errors steal ceiling <<<"$r"
    # A row's own ceiling (measured just before it), else the one from the top of the run.
    [ -z "$ceiling" ] && ceiling=$(printf '%s\n' "${results[@]}" | awk -F'|' -v c="$c" '$1=="C libfcgi responder" && $2==c {print $3; exit}')
    [ -z "$ceiling" ] && ceiling=0
    ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN { if (b > 0) printf "%.0f%%", 100*a/b }')
    echo "| $name | $c | $rps | $p50 | $p99 | $errors | $ratio | $steal |"
  done
  echo
  echo "Checkout: ${checkout_summary:-not run}"
  echo
  echo "Sales: ${sales_summary:-not run}"
  echo
  echo "The cached first page: ${page_bytes:-?}."
  echo
  echo "Catalog import (100,000 new rows, one transaction): ${import_summary:-not run}."
  echo
  echo "Large bodies alongside the last /health row: ${hostile_rate:-?} req/s of 0.85 MB bodies at 4 connections."
  echo
  echo "Orders placed by the 8 shoppers beside the catalog rows: ${hang_orders[ok]:-?} with Stripe answering, ${hang_orders[hang]:-?} with Stripe hanging (each holding a checkout worker for STRIPE_REQUEST_BUDGET until the breaker opens)."
  echo
  echo "Worker RSS idle: $idle. After load: $loaded."
} | tee "$report"
say "written to $report"
