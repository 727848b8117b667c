#!/usr/bin/env bash
# Installs what the stack and the tests need from Debian's packages (and one PyPI tool), once.
source "$(dirname "$0")/lib.sh"

packages=(
  libfcgi-dev libfcgi-bin libpq-dev libssl-dev libhiredis-dev libcurl4-openssl-dev zlib1g-dev
  postgresql redis-server nginx-light openssl ca-certificates
  prometheus wrk curl
  lintian man-db
  iproute2 procps util-linux
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing packages ${missing[*]}: run as root or install them"
  say "installing ${missing[*]}"
  # Packages must not start their own system services: the scripts run private instances.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e $policy ]; then printf '#!/bin/sh\nexit 101\n' > $policy; chmod +x $policy; created_policy=1; fi
  trap '[ $created_policy = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! python3 -c 'import openapi_spec_validator' 2>/dev/null; then
  say "installing openapi-spec-validator"
  python3 -m pip install -q openapi-spec-validator
fi
if ! python3 -c 'import prometheus_client' 2>/dev/null; then
  say "installing prometheus-client (a second parser for /api/metrics)"
  python3 -m pip install -q prometheus-client
fi
