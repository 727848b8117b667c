#!/usr/bin/env bash
# `make deb`: commerce-fcgi_<version>_<arch>.deb, built with dpkg-deb from the release binary
# (Swift's standard library linked in), the units, the nginx files, the migrations and the env
# file. No network and no packaging toolchain beyond dpkg. Prints the package's path.
source "$(dirname "$0")/lib.sh"

DEB=$ROOT/deploy/debian
OUT=$ROOT/.build-deb
VERSION=$(sed -n '1s/.*(\(.*\)).*/\1/p' "$DEB/changelog")
ARCH=$(dpkg --print-architecture)
built=$(sed -n 's/.*static let version = "\(.*\)".*/\1/p' "$ROOT/Sources/Modules/Metrics/BuildInfo.swift")
[ "$built" = "$VERSION" ] || die "deploy/debian/changelog says $VERSION, BuildInfo.swift says $built"
PACKAGE=$OUT/commerce-fcgi_${VERSION}_${ARCH}.deb

say "building the release binary (static Swift standard library), from scratch"
# A release artifact is built clean: an incremental release build after a struct's layout
# changed has been seen to link stale code (heap corruption at run time).
rm -rf "$OUT/build"
swift build -c release --static-swift-stdlib --product commerce-fcgi --scratch-path "$OUT/build" >&2

stage=$OUT/stage
rm -rf "$stage" && mkdir -p "$stage/DEBIAN"
install -D -m 0755 "$OUT/build/release/commerce-fcgi" "$stage/usr/bin/commerce-fcgi"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/commerce-fcgi"
for unit in "$ROOT"/deploy/systemd/*.service "$ROOT"/deploy/systemd/*.socket "$ROOT"/deploy/systemd/*.target "$ROOT"/deploy/systemd/*.path; do
  install -D -m 0644 "$unit" "$stage/lib/systemd/system/$(basename "$unit")"
  sed -i 's|/usr/local/bin/commerce-fcgi|/usr/bin/commerce-fcgi|g' "$stage/lib/systemd/system/$(basename "$unit")"
done
install -D -m 0640 "$ROOT/deploy/systemd/commerce.env.example" "$stage/etc/commerce-fcgi/commerce.env"
for conf in "$ROOT"/deploy/nginx/commerce-*.conf; do
  install -D -m 0644 "$conf" "$stage/etc/nginx/commerce/$(basename "$conf")"
done
install -D -m 0644 "$ROOT/deploy/nginx/commerce.conf" "$stage/usr/share/commerce-fcgi/nginx/commerce.conf"
install -D -m 0644 "$ROOT/deploy/nginx/commerce-upstreams-cluster.conf.example" "$stage/usr/share/commerce-fcgi/nginx/commerce-upstreams-cluster.conf.example"
install -D -m 0644 "$ROOT/deploy/systemd/commerce-fcgi-tcp.conf.example" "$stage/usr/share/commerce-fcgi/systemd/commerce-fcgi-tcp.conf.example"
install -d "$stage/usr/share/commerce-fcgi/migrations"
install -m 0644 "$ROOT"/migrations/*.sql "$stage/usr/share/commerce-fcgi/migrations/"
install -D -m 0644 "$DEB/sysusers.conf" "$stage/usr/lib/sysusers.d/commerce-fcgi.conf"
install -D -m 0644 "$DEB/tmpfiles.conf" "$stage/usr/lib/tmpfiles.d/commerce-fcgi.conf"
install -D -m 0644 "$DEB/copyright" "$stage/usr/share/doc/commerce-fcgi/copyright"
# A native package (no Debian revision): its changelog is changelog.gz.
gzip -9n < "$DEB/changelog" > "$stage/usr/share/doc/commerce-fcgi/changelog.gz"
install -d "$stage/usr/share/bash-completion/completions"
# Sourced by bash-completion, never run: without the parser's #! line.
"$stage/usr/bin/commerce-fcgi" --generate-completion-script bash | sed '1{/^#!/d}' > "$stage/usr/share/bash-completion/completions/commerce-fcgi"
chmod 0644 "$stage/usr/share/bash-completion/completions/commerce-fcgi"
install -d "$stage/usr/share/man/man1"
gzip -9n < "$DEB/commerce-fcgi.1" > "$stage/usr/share/man/man1/commerce-fcgi.1.gz"
chmod 0644 "$stage/usr/share/doc/commerce-fcgi/changelog.gz" "$stage/usr/share/man/man1/commerce-fcgi.1.gz"

# Depends: read off the binary, as dpkg-shlibdeps does for any package.
shlibs=$OUT/shlibs
rm -rf "$shlibs" && mkdir -p "$shlibs/debian"
printf 'Source: commerce-fcgi\n\nPackage: commerce-fcgi\nArchitecture: any\n' > "$shlibs/debian/control"
depends=$(cd "$shlibs" && dpkg-shlibdeps -O "$stage/usr/bin/commerce-fcgi" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || die "dpkg-shlibdeps found no dependencies"

find "$stage/etc" -type f | sed "s|^$stage||" | sort > "$stage/DEBIAN/conffiles"
install -m 0755 "$DEB/postinst" "$DEB/prerm" "$DEB/postrm" "$stage/DEBIAN/"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s|@VERSION@|$VERSION|" -e "s|@ARCH@|$ARCH|" -e "s|@SIZE@|$size|" -e "s|@DEPENDS@|$depends|" \
  "$DEB/control.in" > "$stage/DEBIAN/control"
(cd "$stage" && find usr lib -type f -exec md5sum {} + | sort -k2) > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$stage" "$PACKAGE" >&2
echo "$PACKAGE"
