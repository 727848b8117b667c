#!/usr/bin/env bash
# `make cluster`: the several-hosts topology (README, "Several app hosts") on this machine, each
# host a network namespace joined by veth pairs to one bridge:
#
#   cfc-front    10.77.0.10  nginx, upstreams on both app hosts
#   cfc-app1     10.77.0.11  api pool :9000 and checkout pool :9001 on TCP, jobs, a mail relay on loopback
#   cfc-app2     10.77.0.12  the same
#   cfc-db       10.77.0.20  PostgreSQL primary
#   cfc-replica  10.77.0.21  PostgreSQL streaming standby (pg_basebackup), DATABASE_READ_URL
#   cfc-svc      10.77.0.30  Redis, and the stand-ins for the internet (Stripe, webhook receivers)
#   cfc-client   10.77.0.5   where tests and load come from
#
# 10.77.0.0/24 exists only inside these namespaces, and everything listens only there.
#   cluster.sh up|down|test|bench|pool-kill HOST|pool-start HOST|replica-stop|replica-start|
#              replica-pause|replica-resume|exec HOST CMD…
export PROFILE=cluster
source "$(dirname "$0")/lib.sh"

NET=10.77.0
declare -A ADDRESS=([front]=$NET.10 [app1]=$NET.11 [app2]=$NET.12 [db]=$NET.20 [replica]=$NET.21 [svc]=$NET.30 [client]=$NET.5)
HOSTS=(front app1 app2 db replica svc client)
APPS=(app1 app2)
SWITCH=cfc-net
FRONT_URL=http://${ADDRESS[front]}:$HTTP_PORT
# PostgreSQL's files where the postgres user can reach them (the checkout may be under /root).
PGROOT=/var/tmp/commerce-fcgi-cluster-$(printf '%s' "$STATE" | sha256sum | cut -c1-12)

in_ns() { local host=$1; shift; ip netns exec "cfc-$host" "$@"; }

# --- the network -----------------------------------------------------------------------------

net_up() {
  ip netns list | grep -qw "$SWITCH" && return 0
  say "network: bridge in $SWITCH, ${#HOSTS[@]} hosts on $NET.0/24"
  ip netns add "$SWITCH"
  ip -n "$SWITCH" link add cfcbr0 type bridge
  ip -n "$SWITCH" link set cfcbr0 up
  for host in "${HOSTS[@]}"; do
    ip netns add "cfc-$host"
    ip link add "cfc-$host-br" type veth peer name eth0 netns "cfc-$host"
    ip link set "cfc-$host-br" netns "$SWITCH"
    ip -n "$SWITCH" link set "cfc-$host-br" master cfcbr0 up
    ip -n "cfc-$host" addr add "${ADDRESS[$host]}/24" dev eth0
    ip -n "cfc-$host" link set eth0 up
    ip -n "cfc-$host" link set lo up
  done
}

net_down() {
  for host in "${HOSTS[@]}"; do ip netns del "cfc-$host" 2>/dev/null || true; done
  ip netns del "$SWITCH" 2>/dev/null || true
}

# --- secrets every host shares ----------------------------------------------------------------

secrets() {
  mkdir -p "$STATE"
  (umask 077
   for name in db-password replication-password jwt-secret; do
     [ -f "$STATE/$name" ] || openssl rand -hex 32 > "$STATE/$name"
   done
   [ -f "$STATE/metrics-token" ] || openssl rand -hex 16 > "$STATE/metrics-token"
   [ -f "$STATE/stripe-secret-key" ] || echo "sk_test_$(openssl rand -hex 16)" > "$STATE/stripe-secret-key"
   [ -f "$STATE/stripe-webhook-secret" ] || echo "whsec_$(openssl rand -hex 16)" > "$STATE/stripe-webhook-secret")
}

# --- PostgreSQL: primary and streaming standby -------------------------------------------------

pg_ctl_in() {
  local host=$1 data=$2; shift 2
  in_ns "$host" runuser -u "$PG_USER" -- "$(pg_bin)/pg_ctl" -D "$data" "$@"
}

primary_up() {
  local bin data=$PGROOT/primary; bin=$(pg_bin)
  # The servers' unix sockets live here too (for their own administration): postgres's alone.
  mkdir -p "$PGROOT" "$LOGS"; chown "$PG_USER" "$PGROOT"; chmod 700 "$PGROOT"
  if [ ! -f "$data/PG_VERSION" ]; then
    local pwfile; pwfile=$(mktemp); echo "postgres-$(cat "$STATE/db-password")" > "$pwfile"; chown "$PG_USER" "$pwfile"
    runuser -u "$PG_USER" -- "$bin/initdb" -D "$data" -U postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$LOGS/initdb.log"
    rm -f "$pwfile"
    # The app hosts and the standby, from the cluster's network only.
    printf 'host all all %s.0/24 scram-sha-256\nhost replication replicator %s.0/24 scram-sha-256\n' "$NET" "$NET" >> "$data/pg_hba.conf"
  fi
  touch "$PGROOT/primary.log"; chown "$PG_USER" "$PGROOT/primary.log"; ln -sf "$PGROOT/primary.log" "$LOGS/postgres-primary.log"
  pg_ctl_in db "$data" status >/dev/null 2>&1 ||
    pg_ctl_in db "$data" -l "$PGROOT/primary.log" -w -t 30 \
      -o "-p $PG_PORT -c listen_addresses=${ADDRESS[db]} -k $PGROOT -c max_connections=300 -c shared_buffers=128MB -c fsync=off -c wal_level=replica -c max_wal_senders=4" \
      start >/dev/null
  in_ns db runuser -u "$PG_USER" -- "$bin/psql" -h "$PGROOT" -p "$PG_PORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
    -v pw="$(cat "$STATE/db-password")" -v rpw="$(cat "$STATE/replication-password")" >/dev/null <<'SQL'
SELECT 'CREATE ROLE commerce LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'commerce') \gexec
ALTER ROLE commerce PASSWORD :'pw';
SELECT 'CREATE ROLE replicator LOGIN REPLICATION' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'replicator') \gexec
ALTER ROLE replicator PASSWORD :'rpw';
SELECT 'CREATE DATABASE commerce OWNER commerce' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'commerce') \gexec
SQL
}

replica_start() {
  local bin data=$PGROOT/replica; bin=$(pg_bin)
  if [ ! -f "$data/PG_VERSION" ]; then
    say "replica: pg_basebackup from ${ADDRESS[db]}"
    in_ns replica runuser -u "$PG_USER" -- env PGPASSWORD="$(cat "$STATE/replication-password")" \
      "$bin/pg_basebackup" -h "${ADDRESS[db]}" -p "$PG_PORT" -U replicator -D "$data" -R -X stream -c fast >>"$LOGS/basebackup.log" 2>&1
  fi
  touch "$PGROOT/replica.log"; chown "$PG_USER" "$PGROOT/replica.log"; ln -sf "$PGROOT/replica.log" "$LOGS/postgres-replica.log"
  pg_ctl_in replica "$data" status >/dev/null 2>&1 ||
    pg_ctl_in replica "$data" -l "$PGROOT/replica.log" -w -t 30 \
      -o "-p $PG_PORT -c listen_addresses=${ADDRESS[replica]} -k $PGROOT/replica-sock -c max_connections=300 -c shared_buffers=128MB -c hot_standby_feedback=on" \
      start >/dev/null
}

replica_stop() { pg_ctl_in replica "$PGROOT/replica" -m fast -w -t 30 stop >/dev/null 2>&1 || true; }

# The standby keeps receiving WAL but stops (or resumes) applying it: a replica falling behind.
replica_replay() { # pause|resume
  in_ns replica runuser -u "$PG_USER" -- "$(pg_bin)/psql" -h "$PGROOT/replica-sock" -p "$PG_PORT" -U postgres -d postgres -qAt \
    -c "SELECT pg_wal_replay_$1()" >/dev/null
}

replica_up() {
  mkdir -p "$PGROOT/replica-sock"; chown "$PG_USER" "$PGROOT/replica-sock"
  replica_start
}

# --- Redis and the internet's stand-ins --------------------------------------------------------

services_up() {
  local svc=${ADDRESS[svc]}
  mkdir -p "$STATE/redis" "$STATE/mail" "$LOGS"
  if ! { [ -f "$STATE/redis.pid" ] && kill -0 "$(cat "$STATE/redis.pid")" 2>/dev/null; }; then
    in_ns svc redis-server --port "$REDIS_PORT" --bind "$svc" --protected-mode no --daemonize yes --pidfile "$STATE/redis.pid" \
      --dir "$STATE/redis" --logfile "$LOGS/redis.log" --save "" --appendonly no --maxmemory 256mb --maxmemory-policy volatile-lru
  fi
  background svc stripe python3 "$ROOT/scripts/fake-stripe.py" --host "$svc" --port "$STRIPE_PORT" --secret-key "$(cat "$STATE/stripe-secret-key")" \
    --webhook-secret "$(cat "$STATE/stripe-webhook-secret")" --webhook-url "$FRONT_URL/api/stripe/webhook"
  background svc webhooks python3 "$ROOT/scripts/webhook-sink.py" --host "$svc" --port "$WEBHOOK_SINK_PORT" --log "$LOGS/webhooks.jsonl"
  wait_for "Redis" 50 in_ns svc redis-cli -h "$svc" -p "$REDIS_PORT" ping
}

# HOST NAME COMMAND…: a long-running process in HOST's namespace, its pid in $STATE/NAME.pid.
background() {
  local host=$1 name=$2; shift 2
  if [ -f "$STATE/$name.pid" ] && kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null; then return 0; fi
  nohup ip netns exec "cfc-$host" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! > "$STATE/$name.pid"
}

# --- the app hosts -----------------------------------------------------------------------------

# The environment every app host shares, then pool.sh with the host's own state folder (its
# logs, pids and scoreboard); uploads go to one folder all hosts and the front share, as an NFS
# mount would be on real servers.
app_env() {
  local host=$1 password; shift; password=$(cat "$STATE/db-password")
  local dir=$STATE/$host
  mkdir -p "$dir" "$STATE/uploads"
  for name in db-password jwt-secret metrics-token stripe-secret-key stripe-webhook-secret; do cp "$STATE/$name" "$dir/$name"; done
  # The mail the stand-in relay received, where a host's own state folder would keep it.
  mkdir -p "$STATE/mail"; ln -sfn "$STATE/mail" "$dir/mail"
  env STATE_DIR="$dir" \
    DATABASE_URL="postgresql://commerce:$password@${ADDRESS[db]}:$PG_PORT/commerce" \
    DATABASE_READ_URL="postgresql://commerce:$password@${ADDRESS[replica]}:$PG_PORT/commerce" \
    REDIS_URL="redis://${ADDRESS[svc]}:$REDIS_PORT/0" \
    API_LISTEN="${ADDRESS[$host]}:9000" CHECKOUT_LISTEN="${ADDRESS[$host]}:9001" FASTCGI_ALLOWED_ADDRESSES="${ADDRESS[front]}" \
    CATALOG_CACHE_SCOPE=global PUBLIC_BASE_URL="$FRONT_URL" UPLOAD_DIR="$STATE/uploads" \
    STRIPE_API_BASE="http://${ADDRESS[svc]}:$STRIPE_PORT" SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" \
    WEBHOOK_SINK_URL="http://${ADDRESS[svc]}:$WEBHOOK_SINK_PORT" \
    WORKERS="${CLUSTER_WORKERS:-4}" CHECKOUT_WORKERS=2 PASSWORD_SCRYPT_LOG_N=14 JOBS_POLL_MS=200 MAIL_RETRY_BASE=1 \
    NGINX_USER="" "$@"
}

pool_start() {
  local host=$1
  [ -x "$BIN" ] || die "$BIN is missing: build first"
  # Demo products once, from the first host (seed-demo does nothing once products exist).
  local seed=0; [ "$host" = app1 ] && seed=${SEED_DEMO_PRODUCTS:-60}
  # Mail goes to a relay on the host itself (postfix or nullmailer on a real one), which may
  # speak plain SMTP; a relay elsewhere must offer STARTTLS. All of them file into one folder.
  background "$host" "smtp-$host" python3 "$ROOT/scripts/smtp-sink.py" --host 127.0.0.1 --port "$SMTP_PORT" --dir "$STATE/mail"
  app_env "$host" SEED_DEMO_PRODUCTS="$seed" ip netns exec "cfc-$host" "$ROOT/scripts/pool.sh" start
}

pool_kill() {
  local host=$1 dir=$STATE/$1 pid
  pid=$(cat "$dir/pool.pid" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  # The supervisor and its workers at once, as a host losing power would.
  local children; children=$(pgrep -P "$pid" || true)
  kill -KILL "$pid" $children 2>/dev/null || true
  rm -f "$dir/pool.pid"
}

apps_stop() {
  for host in "${APPS[@]}"; do
    stop_pidfile "$STATE/$host/jobs.pid" TERM
    stop_pidfile "$STATE/$host/pool.pid" TERM
  done
}

# --- the front ---------------------------------------------------------------------------------

front_start() {
  local upstreams=$STATE/front-upstreams.conf
  sed -e "s|10.0.0.11|${ADDRESS[app1]}|g" -e "s|10.0.0.12|${ADDRESS[app2]}|g" \
    "$ROOT/deploy/nginx/commerce-upstreams-cluster.conf.example" > "$upstreams"
  # The front serves uploads from the folder the app hosts share.
  mkdir -p "$STATE/front" "$STATE/uploads"
  [ -L "$STATE/front/uploads" ] || { rm -rf "$STATE/front/uploads"; ln -s "$STATE/uploads" "$STATE/front/uploads"; }
  in_ns front env STATE_DIR="$STATE/front" LISTEN_HOST="${ADDRESS[front]}" UPSTREAMS_FILE="$upstreams" \
    RATE_EXEMPT_ADDRESSES="${ADDRESS[client]}" "$ROOT/scripts/nginx.sh" start
}

front_stop() { stop_pidfile "$STATE/front/nginx/nginx.pid" QUIT; }

# --- the whole --------------------------------------------------------------------------------

up() {
  [ "$(id -u)" = 0 ] || die "network namespaces need root"
  "$ROOT/scripts/deps.sh"
  build_service
  secrets
  net_up
  say "database host: PostgreSQL primary on ${ADDRESS[db]}:$PG_PORT"
  primary_up
  say "services host: Redis and the stand-ins on ${ADDRESS[svc]}"
  services_up
  say "app hosts: pools on ${ADDRESS[app1]} and ${ADDRESS[app2]} (:9000 api, :9001 checkout)"
  # The first migrates (and seeds) before the standby is copied, so it starts with the schema.
  pool_start app1
  say "replica host: streaming standby on ${ADDRESS[replica]}:$PG_PORT"
  replica_up
  pool_start app2
  say "front host: nginx on $FRONT_URL"
  front_start
  wait_for "the cluster" 100 in_ns client curl -fsS "$FRONT_URL/health"
  say "up: ip netns exec cfc-client curl $FRONT_URL/api/products"
}

down() {
  front_stop
  apps_stop
  replica_stop
  pg_ctl_in db "$PGROOT/primary" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  for name in webhooks smtp-app1 smtp-app2 stripe redis responder-app1 responder-app2; do stop_pidfile "$STATE/$name.pid"; done
  net_down
  # The bench's CPU quotas, once their processes are gone (workers finish after the supervisor).
  local group
  for group in /sys/fs/cgroup/cpu/cfc-app? /sys/fs/cgroup/cfc-app?; do
    [ -d "$group" ] || continue
    for _ in $(seq 1 50); do [ -s "$group/cgroup.procs" ] || break; sleep 0.1; done
    rmdir "$group" 2>/dev/null || true
  done
}

# The cluster tests (Tests/EndToEndTests/ClusterTests.swift), from the client host.
run_tests() {
  "$ROOT/scripts/deps.sh"
  down
  rm -rf "$STATE" "$PGROOT"
  trap '"$ROOT/scripts/cluster.sh" down' EXIT
  up
  say "running the cluster tests from ${ADDRESS[client]}"
  (cd "$ROOT" && swift build --build-tests 2>&1 | grep -E 'error' >&2) || true
  in_ns client env COMMERCE_TEST_BASE_URL="$FRONT_URL" COMMERCE_TEST_HTTPS_URL="https://${ADDRESS[front]}:$HTTPS_PORT" \
    COMMERCE_TEST_STATE="$STATE/app1" COMMERCE_TEST_ROOT="$ROOT" COMMERCE_TEST_BINARY="$BIN" COMMERCE_CLUSTER=1 \
    bash -c "cd '$ROOT' && swift test --skip-build --filter ClusterTests 2>&1" | tee "$LOGS/swift-test.log" | grep -Ev '^\[|^Building|^◇ |^✔ Suite '
  return "${PIPESTATUS[0]}"
}

# `make bench-cluster`: cached catalog reads through the front with one app host and with two,
# each host's processes pinned to a core of their own (taskset), beside the C libfcgi responder
# on the same hosts and cores (bench/ceiling/responder.c on TCP). bench/README.md has the figures.
bench() {
  export BUILD_CONFIG=release DURATION=${DURATION:-10s}
  BIN=$ROOT/.build/release/commerce-fcgi
  # wrk runs on the client host; bench/lib.sh's helpers call it by name.
  wrk() { ip netns exec cfc-client /usr/bin/wrk "$@"; }
  source "$ROOT/bench/lib.sh"
  "$ROOT/scripts/deps.sh"
  down
  rm -rf "$STATE" "$PGROOT"
  trap '"$ROOT/scripts/cluster.sh" down' EXIT
  SEED_DEMO_PRODUCTS=${SEED_DEMO_PRODUCTS:-1000} up
  cc -O2 -o "$STATE/responder" "$ROOT/bench/ceiling/responder.c" -lfcgi
  local core=0 host pid
  for host in "${APPS[@]}"; do
    background "$host" "responder-$host" "$STATE/responder" "${ADDRESS[$host]}:9100" "${CLUSTER_WORKERS:-4}"
    sleep 0.5
    # The pool (supervisor and workers, and the workers it forks later) and the responder on one core.
    for pid in $(host_pids "$host"); do
      taskset -a -p -c "$core" "$pid" >/dev/null
    done
    core=$((core + 1))
  done
  local slug; slug=$(in_ns client curl -fsS "$FRONT_URL/api/products?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["slug"])')
  local report=$ROOT/bench/results/cluster-$(date -u +%Y%m%dT%H%M%SZ).md rows=() hosts
  for hosts in 1 2; do bench_hosts "$hosts" "pinned to a core each"; done
  # On a machine with as few cores as this one, front, wrk, Redis and two hosts' pools share
  # them: the same again with each app host held to a quarter of a core (a cgroup CPU quota),
  # so the app hosts are what limits, as they are when a shop adds one.
  local quota=${APP_HOST_CPU_QUOTA:-25000}
  for host in "${APPS[@]}"; do cpu_limit "$host" "$quota"; done
  for hosts in 1 2; do bench_hosts "$hosts" "held to $((quota / 1000))% of a core each"; done
  {
    echo "# Cluster bench $(date -u +%FT%TZ): catalog reads through the front, one vs two app hosts"
    echo
    echo "$(nproc) cores. Each app host: ${CLUSTER_WORKERS:-4} api workers and a C libfcgi responder (bench/ceiling/responder.c, as many processes, on TCP) pinned to its own core with taskset; then the same held to a CPU quota. nginx (front), wrk (client host), PostgreSQL and Redis unpinned. wrk -c32 for $DURATION."
    echo
    echo "| app hosts | app host CPU | scenario | req/s | p50 | p99 | errors | steal | vs C responder, same hosts |"
    echo "|---|---|---|---|---|---|---|---|---|"
    local row ceiling="" cpu name c rps p50 p99 errors steal
    for row in "${rows[@]}"; do
      IFS='|' read -r hosts cpu name c rps p50 p99 errors steal <<<"$row"
      [ "$name" = "C libfcgi responder" ] && ceiling=$rps
      echo "| $hosts | $cpu | $name | $rps | $p50 | $p99 | $errors | $steal | $(awk -v a="$rps" -v b="$ceiling" 'BEGIN { printf "%.0f%%", 100 * a / b }') |"
    done
    echo
    for cpu in "pinned to a core each" "held to $((quota / 1000))% of a core each"; do
      for name in "GET /api/products (cached list)" "GET /api/products/:slug (cached)" "C libfcgi responder"; do
        printf '%s\n' "${rows[@]}" | awk -F'|' -v n="$name" -v cpu="$cpu" '$3==n && $2==cpu { r[$1]=$5 } END { printf "- %s, %s: two hosts / one host = %.2f\n", n, cpu, r[2] / r[1] }'
      done
    done
  } | tee "$report"
}

# HOSTS LABEL: the three rows with the front's upstreams on the first HOSTS app hosts.
bench_hosts() {
  local hosts=$1 label=$2 upstreams=$STATE/bench-upstreams-$1.conf
  sed -e "s|10.0.0.11|${ADDRESS[app1]}|g" -e "s|10.0.0.12|${ADDRESS[app2]}|g" "$ROOT/deploy/nginx/commerce-upstreams-cluster.conf.example" > "$upstreams"
  printf 'upstream commerce_ceiling {\n    server %s:9100;\n' "${ADDRESS[app1]}" >> "$upstreams"
  [ "$hosts" = 2 ] && printf '    server %s:9100;\n' "${ADDRESS[app2]}" >> "$upstreams"
  printf '}\n' >> "$upstreams"
  # One host: app2 leaves the upstreams.
  [ "$hosts" = 1 ] && sed -i "/${ADDRESS[app2]}:900[01]/d" "$upstreams"
  in_ns front env STATE_DIR="$STATE/front" LISTEN_HOST="${ADDRESS[front]}" UPSTREAMS_FILE="$upstreams" RATE_EXEMPT_ADDRESSES="${ADDRESS[client]}" \
    EXTRA_LOCATIONS='location = /bench/c-health { include /etc/nginx/fastcgi_params; fastcgi_pass commerce_ceiling; }' "$ROOT/scripts/nginx.sh" start
  sleep 1
  # Warm both hosts' caches.
  for _ in 1 2 3 4; do in_ns client curl -fsS -o /dev/null "$FRONT_URL/api/products?limit=20"; in_ns client curl -fsS -o /dev/null "$FRONT_URL/api/products/$slug"; done
  say "$hosts app host(s), $label"
  rows+=("$hosts|$label|$(run_wrk "C libfcgi responder" "$FRONT_URL/bench/c-health" 32)")
  rows+=("$hosts|$label|$(run_wrk "GET /api/products (cached list)" "$FRONT_URL/api/products?limit=20" 32)")
  rows+=("$hosts|$label|$(run_wrk "GET /api/products/:slug (cached)" "$FRONT_URL/api/products/$slug" 32)")
}

# HOST QUOTA: the host's pool and responder (and what they fork later) get QUOTA µs of CPU per
# 100 ms, in a cgroup of their own (v1 cpu controller, or v2's cpu.max).
cpu_limit() {
  local host=$1 quota=$2 group pid
  if [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
    group=/sys/fs/cgroup/cpu/cfc-$host; mkdir -p "$group"
    echo 100000 > "$group/cpu.cfs_period_us"; echo "$quota" > "$group/cpu.cfs_quota_us"
  else
    group=/sys/fs/cgroup/cfc-$host; mkdir -p "$group"
    echo "$quota 100000" > "$group/cpu.max"
  fi
  for pid in $(host_pids "$host"); do echo "$pid" > "$group/cgroup.procs"; done
}

# Every process of an app host's pool and its C responder.
host_pids() {
  local sup; sup=$(cat "$STATE/$1/pool.pid")
  echo "$sup" $(pgrep -P "$sup") $(pgrep -f "responder ${ADDRESS[$1]}:9100")
}

case "${1:-}" in
  up) up ;;
  bench) bench ;;
  down) down ;;
  test) run_tests ;;
  pool-kill) pool_kill "$2" ;;
  pool-start) pool_start "$2" ;;
  replica-stop) replica_stop ;;
  replica-start) replica_start ;;
  replica-pause) replica_replay pause ;;
  replica-resume) replica_replay resume ;;
  exec) host=$2; shift 2; in_ns "$host" "$@" ;;
  *) echo "usage: $0 up|down|test|bench|pool-kill HOST|pool-start HOST|replica-stop|replica-start|replica-pause|replica-resume|exec HOST CMD…" >&2; exit 2 ;;
esac
