#!/usr/bin/env bash
# nginx for one profile: renders the production configuration with local paths and ports,
# then starts or stops a private nginx.   nginx.sh render|start|stop
source "$(dirname "$0")/lib.sh"

NGX=$STATE/nginx
EXTRA_LOCATIONS=${EXTRA_LOCATIONS:-}
# make cluster: the front host's address, and the app hosts' upstreams in place of the sockets.
LISTEN_HOST=${LISTEN_HOST:-127.0.0.1}
UPSTREAMS_FILE=${UPSTREAMS_FILE:-}
# The test stack lets a test speak for another client address (X-Test-Client-Address, from
# loopback only) and shows the key nginx's rate limits count that client under.
if [ "$PROFILE" = test ] && [ -z "$EXTRA_LOCATIONS" ]; then
  EXTRA_LOCATIONS='set_real_ip_from 127.0.0.0/8; real_ip_header X-Test-Client-Address; location = /_test/client-key { default_type text/plain; return 200 "$commerce_client"; }'
fi

render() {
  mkdir -p "$NGX/commerce" "$NGX/tmp" "$LOGS" "$STATE/uploads" "$STATE/tls"
  if [ ! -f "$STATE/tls/fullchain.pem" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
      -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$STATE/tls/privkey.pem" -out "$STATE/tls/fullchain.pem" 2>/dev/null
    chmod 600 "$STATE/tls/privkey.pem"
  fi
  # With CHECKOUT_WORKERS=0 the api pool serves the checkout routes too.
  local checkout_socket=commerce-checkout.sock
  [ "$CHECKOUT_WORKERS" -gt 0 ] || checkout_socket=commerce.sock
  local exempt=""
  # Locally the limits would throttle the test suite and benchmarks, so 127.0.0.1 is exempt;
  # the rate-limit tests connect from 127.0.0.2, which is limited as any client would be.
  [ "${RATE_EXEMPT_LOOPBACK:-1}" = 1 ] && exempt="127.0.0.1 1;"
  # The cluster's load-test client.
  for address in ${RATE_EXEMPT_ADDRESSES:-}; do exempt="$exempt $address 1;"; done
  for f in "$ROOT"/deploy/nginx/commerce-*.conf; do
    sed -e "s|/etc/nginx/commerce/|$NGX/commerce/|g" \
        -e "s|unix:/run/commerce-fcgi.sock|unix:$STATE/commerce.sock|g" \
        -e "s|unix:/run/commerce-fcgi-checkout.sock|unix:$STATE/$checkout_socket|g" \
        -e "s|/var/lib/commerce-fcgi/uploads/|$STATE/uploads/|g" \
        -e "s|/etc/ssl/commerce/|$STATE/tls/|g" \
        -e "s|# commerce: rate-exempt addresses|$exempt|" \
        "$f" > "$NGX/commerce/$(basename "$f")"
  done
  [ -z "$UPSTREAMS_FILE" ] || cp "$UPSTREAMS_FILE" "$NGX/commerce/commerce-upstreams.conf"
  local user_line=""
  [ "$(id -u)" = 0 ] && user_line="user root root;"
  { echo "$user_line"
    sed -e "s|@STATE@|$STATE|g" -e "s|@LISTEN_HOST@|$LISTEN_HOST|g" -e "s|@HTTP_PORT@|$HTTP_PORT|g" -e "s|@HTTPS_PORT@|$HTTPS_PORT|g" \
        -e "s|@EXTRA_LOCATIONS@|$EXTRA_LOCATIONS|" "$ROOT/deploy/nginx/dev.conf.template"
  } > "$NGX/nginx.conf"
  nginx -t -q -p "$NGX" -c "$NGX/nginx.conf" 2>>"$LOGS/nginx-error.log" || { tail -5 "$LOGS/nginx-error.log" >&2; die "nginx -t failed"; }
}

start() {
  render
  if [ -f "$NGX/nginx.pid" ] && kill -0 "$(cat "$NGX/nginx.pid")" 2>/dev/null; then
    kill -HUP "$(cat "$NGX/nginx.pid")"
  else
    nginx -p "$NGX" -c "$NGX/nginx.conf"
  fi
  wait_for "nginx" 50 test -s "$NGX/nginx.pid"
}

stop() { stop_pidfile "$NGX/nginx.pid" QUIT; }

case "${1:-}" in
  render) render ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 render|start|stop" >&2; exit 2 ;;
esac
