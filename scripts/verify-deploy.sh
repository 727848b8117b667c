#!/usr/bin/env bash
# Checks the files in deploy/ as a sysadmin would install them: `systemd-analyze verify` on
# the units and `nginx -t` on the production server configuration. Any complaint fails.
source "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Units: the binary path is the only thing that differs from an installed host.
mkdir -p "$work/units"
for unit in "$ROOT"/deploy/systemd/*.service "$ROOT"/deploy/systemd/*.socket "$ROOT"/deploy/systemd/*.target "$ROOT"/deploy/systemd/*.path; do
  sed "s|/usr/local/bin/commerce-fcgi|$BIN|" "$unit" > "$work/units/$(basename "$unit")"
done
# Several app hosts: the TCP drop-in of both socket units (commerce-fcgi-tcp.conf.example).
for socket in commerce-fcgi.socket commerce-fcgi-checkout.socket; do
  install -D -m 0644 "$ROOT/deploy/systemd/commerce-fcgi-tcp.conf.example" "$work/units/$socket.d/tcp.conf"
done
report=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no $(find "$work/units" -maxdepth 1 -type f) 2>&1 || true)
if [ -n "$report" ]; then echo "$report" >&2; die "systemd-analyze verify complained"; fi

# nginx: the production files with /etc paths moved into a scratch prefix and a throwaway certificate.
mkdir -p "$work/nginx/commerce" "$work/tls" "$work/tmp"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=verify \
  -keyout "$work/tls/privkey.pem" -out "$work/tls/fullchain.pem" 2>/dev/null
for f in "$ROOT"/deploy/nginx/commerce*.conf; do
  sed -e "s|/etc/nginx/commerce/|$work/nginx/commerce/|g" -e "s|/etc/ssl/commerce/|$work/tls/|g" "$f" > "$work/nginx/commerce/$(basename "$f")"
done
cat > "$work/nginx/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $work/tmp/body;
    fastcgi_temp_path $work/tmp/fastcgi;
    proxy_temp_path $work/tmp/proxy;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    include $work/nginx/commerce/commerce.conf;
}
CONF
nginx -t -q -p "$work" -c "$work/nginx/nginx.conf" || die "nginx -t failed on deploy/nginx/commerce.conf"
# The same with the several-app-hosts upstreams in place of the one-host file.
cp "$ROOT/deploy/nginx/commerce-upstreams-cluster.conf.example" "$work/nginx/commerce/commerce-upstreams.conf"
nginx -t -q -p "$work" -c "$work/nginx/nginx.conf" || die "nginx -t failed with deploy/nginx/commerce-upstreams-cluster.conf.example"
say "deploy/ files verified (systemd-analyze verify, nginx -t)"
