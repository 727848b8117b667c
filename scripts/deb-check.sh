#!/usr/bin/env bash
# The package as a sysadmin gets it: `make deb`, lintian over it (no error allowed), then, as
# root, installed with dpkg, its units verified where they landed, its binary run, its man page
# rendered, and purged again with nothing left behind but what Debian's policy keeps.
source "$(dirname "$0")/lib.sh"

package=$("$ROOT/scripts/deb.sh" | tail -1)
say "lintian $(basename "$package")"
# Kept warnings: the env file is 0640 on purpose (it holds secrets), and the worker templates
# and the migrations oneshot are wanted by the package's own commerce-fcgi.target.
lintian --fail-on error "$package"

if [ "$(id -u)" != 0 ]; then
  say "not root: the install, run and purge of the package are skipped"
  exit 0
fi
say "installing the package"
dpkg-query -W -f='${Status}' commerce-fcgi 2>/dev/null | grep -q "install ok" && dpkg -P commerce-fcgi >/dev/null
trap 'dpkg -P commerce-fcgi >/dev/null 2>&1 || true' EXIT
dpkg -i "$package" >/dev/null
listed=$(dpkg -L commerce-fcgi)
for f in /usr/bin/commerce-fcgi /lib/systemd/system/commerce-fcgi@.service /etc/commerce-fcgi/commerce.env \
         /usr/share/commerce-fcgi/migrations/0001_init.sql /etc/nginx/commerce/commerce-locations.conf \
         /etc/nginx/commerce/commerce-upstreams.conf /usr/share/commerce-fcgi/nginx/commerce-upstreams-cluster.conf.example \
         /usr/share/commerce-fcgi/systemd/commerce-fcgi-tcp.conf.example; do
  grep -qx "$f" <<< "$listed" || die "the package does not install $f"
done
getent passwd commerce >/dev/null || die "postinst did not create the commerce user"
[ "$(stat -c '%a %U:%G' /etc/commerce-fcgi/commerce.env)" = "640 root:commerce" ] || die "commerce.env is not 0640 root:commerce"
[ "$(stat -c '%a %U:%G' /var/lib/commerce-fcgi/uploads)" = "2750 commerce:www-data" ] || die "the uploads folder is not 2750 commerce:www-data"
[ "$(stat -c '%a %U:%G' /var/lib/commerce-fcgi/import/done)" = "750 commerce:commerce" ] || die "the catalog import folders are not 750 commerce:commerce"
systemd-analyze verify /lib/systemd/system/commerce-fcgi@1.service /lib/systemd/system/commerce-fcgi-checkout@1.service \
  /lib/systemd/system/commerce-jobs.service /lib/systemd/system/commerce-migrate.service /lib/systemd/system/commerce-fcgi.socket \
  /lib/systemd/system/commerce-catalog-import.service /lib/systemd/system/commerce-catalog-import.path 2>&1 | grep -v "^$" && die "systemd-analyze verify complained" || true
/usr/bin/commerce-fcgi help >/dev/null || die "commerce-fcgi help failed"
/usr/bin/commerce-fcgi --env-file "$STATE/commerce.env" check-config | grep -qx "configuration ok" || die "check-config with --env-file failed"
# The shipped env file is read by default, and its placeholder secret refused.
if env -i /usr/bin/commerce-fcgi check-config >/dev/null 2>&1; then die "the example's placeholder JWT_SECRET was accepted"; fi
man -l /usr/share/man/man1/commerce-fcgi.1.gz 2>/dev/null | grep -q "commerce-fcgi - e-commerce backend" || die "man page does not render"
say "purging the package"
dpkg -P commerce-fcgi >/dev/null
trap - EXIT
for f in $listed; do
  [ -d "$f" ] && continue
  [ -e "$f" ] && die "$f is still there after dpkg -P"
done
[ -e /etc/commerce-fcgi ] && die "/etc/commerce-fcgi is still there after dpkg -P"
[ -e /var/lib/commerce-fcgi ] && die "the empty /var/lib/commerce-fcgi is still there after dpkg -P"
say "package ok: built, lintian clean of errors, installed, run, purged"
