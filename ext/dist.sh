#!/usr/bin/env bash
# `make dist`: the release files of sms_export in OUT_DIR (dist/), all from one VERSION:
#   sms_export-VERSION-linux-ARCH.tar.gz       the library, README.md, LICENSE
#   sms_export-VERSION-py3-none-linux_ARCH.whl the Python package sms_export (ext/python/)
#   sms-export-VERSION.tgz                     the npm package sms-export (ext/node/), npm pack
#   sms-export_VERSION_DEBARCH.deb             /usr/lib/sqlite3/sms_export.so, dpkg-deb
# ARCH is the machine's (uname -m: x86_64, aarch64), DEBARCH Debian's (amd64, arm64). The
# library in every package is the one `make` built, stripped of its debugging symbols.
#
#   ext/dist.sh LIBRARY VERSION OUT_DIR
#
# Needs python3, npm, strip, dpkg-deb and dpkg-shlibdeps (dpkg-dev); nothing is downloaded.
set -euo pipefail

lib=$1 version=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
arch=$(uname -m)
python=/usr/bin/python3
[ -x "$python" ] || python=python3
die() { echo "dist: $*" >&2; exit 1; }
for tool in "$python" npm strip dpkg-deb dpkg-shlibdeps dpkg; do
  command -v "$tool" >/dev/null ||
    die "$tool is missing: install it (Debian: make deps installs python3, npm's nodejs aside, binutils and dpkg-dev)"
done
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VERSION '$version' is not MAJOR.MINOR.PATCH"
deb_arch=$(dpkg --print-architecture)
case $arch in
  x86_64) npm_cpu=x64 ;;
  aarch64) npm_cpu=arm64 ;;
  *) npm_cpu=$arch ;;
esac

stage=$(mktemp -d "${TMPDIR:-/tmp}/sms-dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/sms_export-*.tar.gz "$out"/sms_export-*.whl "$out"/sms-export-*.tgz "$out"/sms-export_*.deb
strip --strip-unneeded -o "$stage/sms_export.so" "$lib"
chmod 0644 "$stage/sms_export.so"

# 1. The tarball: one folder of the three files, owned by root, dated by the library.
name=sms_export-$version-linux-$arch
mkdir "$stage/$name"
install -m 0644 "$stage/sms_export.so" "$root/README.md" "$root/LICENSE" "$stage/$name/"
tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name \
  --mtime="@$(stat -c %Y "$lib")" -czf "$out/$name.tar.gz" "$name"

# 2. The wheel.
"$python" "$here/python/build_wheel.py" "$version" "$stage/sms_export.so" "$root/LICENSE" \
  "$root/README.md" "$out" "linux_$arch" >/dev/null

# 3. The npm package: npm pack of a staged folder.
mkdir -p "$stage/npm/lib"
sed -e "s/@VERSION@/$version/" -e "s/@NPM_CPU@/$npm_cpu/" "$here/node/package.json" \
  > "$stage/npm/package.json"
install -m 0644 "$here/node/index.js" "$root/README.md" "$root/LICENSE" "$stage/npm/"
install -m 0644 "$stage/sms_export.so" "$stage/npm/lib/"
(cd "$stage/npm" &&
  npm_config_update_notifier=false npm pack --pack-destination "$out" --silent >/dev/null)
[ -f "$out/sms-export-$version.tgz" ] || die "npm pack did not write sms-export-$version.tgz"

# 4. The Debian package: the library where Debian keeps SQLite extensions, the license in
# the machine-readable copyright format, Depends from the libraries the library links.
deb=$stage/deb
doc=$deb/usr/share/doc/sms-export
install -d "$deb/DEBIAN" "$deb/usr/lib/sqlite3" "$doc"
install -m 0644 "$stage/sms_export.so" "$deb/usr/lib/sqlite3/sms_export.so"
{
  printf '%s\n' "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" \
    "Upstream-Name: sms_export" "" "Files: *" "Copyright: 2026 the sms_export authors" \
    "License: Expat"
  # the license's text after its title, a space before each line, " ." for an empty one
  tail -n +3 "$root/LICENSE" | sed -e 's/^$/./' -e 's/^/ /'
} > "$doc/copyright"
maintainer=${DEB_MAINTAINER:-"sms_export authors <sms-export@example.org>"}
{
  printf 'sms-export (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Built by make dist from the VERSION file.\n\n'
  printf ' -- %s  %s\n' "$maintainer" "$(date -R -u -d "@$(stat -c %Y "$lib")")"
} | gzip -9n > "$doc/changelog.gz"
chmod 0644 "$doc/copyright" "$doc/changelog.gz"
(cd "$deb" && find usr -type f -exec md5sum {} + | LC_ALL=C sort -k2) > "$deb/DEBIAN/md5sums"
# dpkg-shlibdeps reads a debian/control; a minimal one of its own, in the stage.
mkdir -p "$stage/shlibs/debian"
printf 'Source: sms-export\n\nPackage: sms-export\nArchitecture: any\n' \
  > "$stage/shlibs/debian/control"
depends=$(cd "$stage/shlibs" && dpkg-shlibdeps -O "$deb/usr/lib/sqlite3/sms_export.so" 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || die "dpkg-shlibdeps found no dependencies of $lib"
cat > "$deb/DEBIAN/control" <<CONTROL
Package: sms-export
Version: $version
Architecture: $deb_arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$deb" | cut -f1)
Depends: $depends
Section: database
Priority: optional
Description: SQLite extension reading the SMS export REST API as a table
 sms_export is a loadable SQLite extension: the virtual table sms_messages reads
 the sent and received text messages of the SMS export REST API (Acoustic
 Campaign's SMS Campaign Manager), pushing WHERE, LIMIT and ORDER BY down to the
 API. Load it with .load /usr/lib/sqlite3/sms_export in the sqlite3 shell, or by
 that path in any SQLite host.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$deb" "$out/sms-export_${version}_$deb_arch.deb" >/dev/null

ls -1 "$out"
