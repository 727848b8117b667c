# Helpers of bench/run.sh, sourced after scripts/lib.sh: wrk runs, worker memory, shoppers,
# and the figures the app and nginx report about a run.

# Resident memory of the pools' workers: RSS (which counts every shared library page a worker
# has touched, as if it were its own) and PSS (each shared page divided among the processes
# that map it: what one more worker costs the machine).
workers_rss() {
  local sup; sup=$(cat "$STATE/pool.pid")
  for p in /proc/[0-9]*; do
    if [ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$sup" ]; then
      printf '%s %s\n' "$(awk '/VmRSS/ {print $2}' "$p/status")" "$(awk '/^Pss:/ {print $2}' "$p/smaps_rollup")"
    fi
  done | sort -n | awk '{r[NR]=$1; p[NR]=$2; if (NR == 1 || $2 < pmin) pmin = $2; if ($2 > pmax) pmax = $2}
    END {printf "%d kB min, %d kB max over %d workers (PSS %d-%d kB)", r[1], r[NR], NR, pmin, pmax}'
}

# The CPU time the hypervisor gave to other guests (steal), as a percentage of this machine's
# CPU time since `cpu_mark` was called: on a shared VM it is what makes one run differ from
# the next, so every row reports it.
cpu_mark() { awk '/^cpu / { print $2+$3+$4+$5+$6+$7+$8+$9, $9 }' /proc/stat; }
steal_since() { # mark
  local now; now=$(cpu_mark)
  awk -v a="$1" -v b="$now" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[1] - x[1]; printf "%.0f%%", (t > 0 ? 100 * (y[2] - x[2]) / t : 0) }'
}

# CPU time every process of the machine spent (user, nice, system, irq, softirq), in clock
# ticks: over a checkout run, divided by its orders, the CPU an order costs; two cores' worth
# of it is the ceiling of orders/s. On a shared VM it moves with the speed of the moment too
# (by half within ten minutes, bench/README.md), if less often than orders/s.
busy_ticks() { awk '/^cpu / { print $2+$3+$4+$7+$8 }' /proc/stat; }

run_wrk() { # name url connections [extra wrk arguments…]
  local name=$1 url=$2 c=$3 out threads=2 mark
  shift 3
  [ "$c" -lt 2 ] && threads=1
  mark=$(cpu_mark)
  out=$(wrk -t"$threads" -c"$c" -d"$DURATION" --latency "$@" "$url")  # a later -t in "$@" wins
  local rps p50 p99 errors steal
  steal=$(steal_since "$mark")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '%s|%s|%s|%s|%s|%s|%s\n' "$name" "$c" "$rps" "$p50" "$p99" "${errors:-none}" "$steal"
}

# The C ceiling measured right before a scenario, at its connections: on a machine whose
# speed drifts from one minute to the next (a shared VM), a ratio is only as good as the
# ceiling it is taken against. The row carries that ceiling as a seventh field.
run_vs_ceiling() { # name url connections [extra wrk arguments…]
  local name=$1 url=$2 c=$3 ceiling
  shift 3
  ceiling=$(ceiling_now "$c")
  printf '%s|%s\n' "$(run_wrk "$name" "$url" "$c" "$@")" "$ceiling"
}

# The C ceiling's req/s at this many connections, measured now.
ceiling_now() { run_wrk "C libfcgi responder" "$base/bench/c-health" "$1" | cut -d'|' -f3; }

shoppers() { # count: that many new shoppers' access tokens, comma-separated
  for i in $(seq 1 "$1"); do
    curl -fsS -H 'Content-Type: application/json' "$base/api/auth/register" \
      -d "{\"email\":\"shopper-$i-$(date +%s%N)@example.com\",\"password\":\"bench password 1\",\"firstName\":\"Bench\",\"lastName\":\"Shopper\"}" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["accessToken"])'
  done | paste -sd,
}

# POST JSON as an admin (or anyone with a token); the answer's data.id.
create() { # path json
  curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $admin_token" "$base$1" -d "$2" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])'
}

# A counter or a sum of one family's samples from /api/metrics (labels as a regex on the sample).
metric() { # name label-regex
  curl -fsS "$base/api/metrics" | awk -v name="$1" -v labels="$2" 'index($1, name) == 1 && $1 ~ labels { sum += $2 } END { printf "%d", sum }'
}

orders_count() { psql "$DATABASE_URL" -Atc "SELECT count(*) FROM orders"; }

# Where nginx's access log ends once what it buffers is written (it writes at most a second
# late, deploy/nginx/dev.conf.template): a scenario's lines start after this offset.
access_log_end() { sleep 1.2; stat -c %s "$STATE/logs/nginx-access.log"; }

# p50 and p99 of nginx's request time for one route since a byte offset of its access log
# (deploy/nginx/dev.conf.template logs the time last), as "p50|p99".
nginx_latency() { # offset method path status
  sleep 1.2
  tail -c +"$(($1 + 1))" "$STATE/logs/nginx-access.log" |
    awk -v m="\"$2" -v p="$3" -v s="$4" '$6 == m && $7 == p && $9 == s { print $NF }' | sort -n |
    awk '{ v[NR] = $1 } END { if (NR == 0) { print "?|?"; exit }
           i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
           printf "%.1f ms|%.1f ms\n", 1000 * v[i50], 1000 * v[i99] }'
}
