# Shared settings of the scripts: one profile ("run" or "test") picks the state folder and
# the ports, so `make run` and `make test` can be up side by side. Sourced, not run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROFILE=${PROFILE:-run}
# Every port lies below 32768, outside Linux's ephemeral range (32768-60999): a service on an
# ephemeral port can find it taken by an outgoing connection (under load, workers retrying
# PostgreSQL once connected to themselves on its port, and it could not bind again).
case "$PROFILE" in
  run)  defaults=(8080 8443 15432 16379 2525 12111 12112) ;;
  test) defaults=(18080 18443 15433 16380 12525 22111 22112) ;;
  bench) defaults=(28080 28443 15434 16381 22525 32111 32112) ;;
  # make cluster: every host in a network namespace of its own (scripts/cluster.sh), so the
  # usual ports, on addresses that exist only inside those namespaces.
  cluster) defaults=(8080 8443 5432 6379 2525 12111 12112) ;;
  *) echo "unknown PROFILE $PROFILE" >&2; exit 2 ;;
esac
HTTP_PORT=${HTTP_PORT:-${defaults[0]}}
HTTPS_PORT=${HTTPS_PORT:-${defaults[1]}}
PG_PORT=${PG_PORT:-${defaults[2]}}
REDIS_PORT=${REDIS_PORT:-${defaults[3]}}
SMTP_PORT=${SMTP_PORT:-${defaults[4]}}
# The local fake of Stripe's API (scripts/fake-stripe.py).
STRIPE_PORT=${STRIPE_PORT:-${defaults[5]}}
# The local webhook receiver (scripts/webhook-sink.py), standing in for a merchant's.
WEBHOOK_SINK_PORT=${WEBHOOK_SINK_PORT:-${defaults[6]}}
STATE=${STATE_DIR:-$ROOT/.state/$PROFILE}
LOGS=$STATE/logs
BUILD_CONFIG=${BUILD_CONFIG:-$(case "$PROFILE" in test|cluster) echo debug ;; *) echo release ;; esac)}
BIN=$ROOT/.build/$BUILD_CONFIG/commerce-fcgi
# The api pool: 8 (the default) but for the tests, whose figures assume 4.
WORKERS=${WORKERS:-$([ "$PROFILE" = test ] && echo 4 || echo 8)}
# The checkout pool (routes that call Stripe during the request); 0 runs the api pool alone.
# 4 (the default) but for the tests, whose figures assume 2.
CHECKOUT_WORKERS=${CHECKOUT_WORKERS:-$([ "$PROFILE" = test ] && echo 2 || echo 4)}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as the unprivileged user PostgreSQL insists on when we are root.
PG_USER=$( [ "$(id -u)" = 0 ] && echo postgres || id -un )
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || die "PostgreSQL server binaries not found (scripts/deps.sh installs them)"
  echo "$dir"
}

# Stops the process recorded in a pid file, politely then firmly; never by name.
stop_pidfile() {
  local file=$1 signal=${2:-TERM} pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$file"
}

wait_for() {
  local what=$1 tries=$2; shift 2
  for _ in $(seq 1 "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  die "$what did not come up (see $LOGS)"
}

# Builds the service in $BUILD_CONFIG unless SKIP_BUILD=1. A failed build stops the script:
# an older binary left in .build would otherwise start.
build_service() {
  [ "${SKIP_BUILD:-0}" != 1 ] || return 0
  say "building ($BUILD_CONFIG)"
  mkdir -p "$STATE"
  # A release build links Swift's standard library in, as the Debian package does (deb.sh):
  # `make run` and `make bench` run what ships. It also keeps workers smaller: only the parts
  # of the library the binary uses are linked, with no symbol binding at load (bench/README.md).
  local flags=(); [ "$BUILD_CONFIG" = release ] && flags=(--static-swift-stdlib)
  (cd "$ROOT" && swift build -c "$BUILD_CONFIG" "${flags[@]}" --product commerce-fcgi > "$STATE/build.log" 2>&1) ||
    { grep -E 'error' "$STATE/build.log" | head -20 >&2; die "build failed (see $STATE/build.log)"; }
  [ -x "$BIN" ] || die "build failed"
}
