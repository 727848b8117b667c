#!/usr/bin/env bash
# `make bench`: GET /health through nginx → FastCGI pool, against two ceilings measured in the
# same run on the same nginx: a static file, and a minimal C libfcgi responder with as many
# processes as the pool has workers. Also the resident memory of an idle and a loaded worker.
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
"$STATE/responder" "$STATE/ceiling.sock" "$WORKERS" & echo $! > "$STATE/responder.pid"
wait_for "the C responder" 50 curl -fsS "http://127.0.0.1:$HTTP_PORT/bench/c-health"

workers_rss() {
  local sup; sup=$(cat "$STATE/pool.pid")
  for p in /proc/[0-9]*; do
    if [ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$sup" ]; then awk '/VmRSS/ {print $2}' "$p/status"; fi
  done | sort -n | awk '{a[NR]=$1} END {printf "%d kB min, %d kB max over %d workers", a[1], a[NR], NR}'
}

run_wrk() { # name url connections
  local out
  out=$(wrk -t2 -c"$3" -d"$DURATION" --latency "$2")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '%s|%s|%s|%s|%s|%s\n' "$1" "$3" "$rps" "$p50" "$p99" "${errors:-none}"
}

idle=$(workers_rss)
base=http://127.0.0.1:$HTTP_PORT
results=()
for c in $CONNECTIONS; do
  for _ in 1 2; do curl -fsS "$base/health" >/dev/null; done
  results+=("$(run_wrk "nginx static file" "$base/bench/static.json" "$c")")
  results+=("$(run_wrk "C libfcgi responder" "$base/bench/c-health" "$c")")
  results+=("$(run_wrk "Swift pool GET /health" "$base/health" "$c")")
done
loaded=$(workers_rss)

report=$OUT/health-$(date -u +%Y%m%dT%H%M%SZ).md
{
  echo "# GET /health through nginx ($WORKERS workers, wrk -t2 for $DURATION, $(nproc) cores)"
  echo
  echo "| scenario | connections | req/s | p50 | p99 | errors | vs C ceiling |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  for r in "${results[@]}"; do
    IFS='|' read -r name c rps p50 p99 errors <<<"$r"
    ceiling=$(printf '%s\n' "${results[@]}" | awk -F'|' -v c="$c" '$1=="C libfcgi responder" && $2==c {print $3}')
    ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN { if (b > 0) printf "%.0f%%", 100*a/b }')
    echo "| $name | $c | $rps | $p50 | $p99 | $errors | $ratio |"
  done
  echo
  echo "Worker RSS idle: $idle. After load: $loaded."
} | tee "$report"
say "written to $report"
