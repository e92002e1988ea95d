# The four packages of `make dist` (ext/dist.sh), each installed the way its ecosystem does
# and used against the runner's emulator:
#   the tarball  unpacked; the library in it loads in the sqlite3 shell
#   the wheel    pip install --no-index into a fresh venv of Debian's python3; import
#                sms_export, load(conn), loadable_path(), __version__; and load()'s error when
#                a library the extension links cannot be found
#   npm          npm install of the tarball into a fresh project, with the better-sqlite3
#                the Node tests already built (build/node_modules, on NODE_PATH): load(db),
#                getLoadablePath(), version; and load()'s error for a missing library
#   the .deb     dpkg-deb -I (its fields: Depends computed from what the library links),
#                dpkg-deb -x into a folder (nothing installed on the system), the library
#                loaded from there; lintian without errors
# The packages are built here, into the test's own folder, by the script `make dist` runs.
source "$(dirname "$0")/../lib.sh"

HOSTS=$ROOT/sql-tests/hosts
NODE=${NODE:-node}
NPM=${NPM:-npm}
version=$(cat "$ROOT/VERSION")
arch=$(uname -m)
deb_arch=$(dpkg --print-architecture)
for v in main_LOG SMS_API_BASE_URL SMS_API_USERNAME SMS_API_PASSWORD; do
  [ -n "${!v:-}" ] || { echo "not ok - run by sql-tests/run.sh ($v is not set)"; exit 1; }
done
[ -f "$EXT.so" ] || { echo "not ok - $EXT.so is built (run make first)"; exit 1; }
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 npm_config_update_notifier=false \
  npm_config_audit=false npm_config_fund=false

dist=$TMPDIR_SMS/dist
out=$(bash "$ROOT/ext/dist.sh" "$EXT.so" "$version" "$dist" 2>&1); rc=$?
check "ext/dist.sh (make dist) builds the four packages" \
  "0
sms-export-$version.tgz
sms-export_${version}_$deb_arch.deb
sms_export-$version-linux-$arch.tar.gz
sms_export-$version-py3-none-linux_$arch.whl" "$rc
$(cd "$dist" 2>/dev/null && ls -1)"
[ "$rc" -eq 0 ] || { printf '%s\n' "$out" | sed 's/^/#   /'; exit 1; }

# A copy of a library whose libcjson cannot be found: its DT_NEEDED name changed in place,
# as on a machine without libcjson1 (the dynamic loader says which file it missed).
unlinked() {
  "$PYTHON3" - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
assert data.count(b"libcjson.so.1\0") == 1, "libcjson.so.1 is named once"
open(sys.argv[2], "wb").write(data.replace(b"libcjson.so.1\0", b"libcjzzz.so.1\0"))
PY
}
needs="the extension needs libcurl 4 and libcjson 1 on this machine: on Debian or Ubuntu apt-get install libcurl4 libcjson1; on Fedora dnf install libcurl cjson"

# 1. The tarball.
tdir=$TMPDIR_SMS/tarball
mkdir -p "$tdir"
tar -C "$tdir" -xzf "$dist/sms_export-$version-linux-$arch.tar.gz"
top=sms_export-$version-linux-$arch
check "the tarball holds the library, README.md and LICENSE in one folder" \
  "$top/LICENSE
$top/README.md
$top/sms_export.so" "$(cd "$tdir" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)"
check "the tarball's LICENSE and README.md are the repository's" "same same" \
  "$(cmp -s "$ROOT/LICENSE" "$tdir/$top/LICENSE" && echo same) $(cmp -s "$ROOT/README.md" "$tdir/$top/README.md" && echo same)"
check "the tarball's library loads and reads the API" "$version|1000" \
  "$("$SQLITE3" -batch -cmd ".load $tdir/$top/sms_export" :memory: \
      "SELECT sms_export_version(), (SELECT count(*) FROM sms_messages(4711));" 2>&1)"

# 2. The wheel, into a fresh venv, from the local file only.
venv=$TMPDIR_SMS/venv
if ! "$PYTHON3" -m venv "$venv" > "$TMPDIR_SMS/venv.log" 2>&1; then
  echo "not ok - $PYTHON3 -m venv makes a venv (make deps installs python3-venv)"
  sed 's/^/#   /' "$TMPDIR_SMS/venv.log" | tail -5
else
  out=$("$venv/bin/pip" install --no-index "$dist/sms_export-$version-py3-none-linux_$arch.whl" 2>&1); rc=$?
  check "pip install --no-index installs the wheel into a fresh venv" 0 "$rc"
  [ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -5 | sed 's/^/#   /'
  out=$(cd "$TMPDIR_SMS" && "$venv/bin/python" - "$venv" <<'PY' 2>&1
import os, sqlite3, sys
import sms_export
venv = os.path.realpath(sys.argv[1])
print(sms_export.__version__)
print(os.path.realpath(sms_export.loadable_path() + ".so").startswith(venv + "/lib/"))
db = sqlite3.connect(":memory:")
db.enable_load_extension(True)
sms_export.load(db)
db.enable_load_extension(False)
print(db.execute("SELECT sms_export_version()").fetchone()[0])
print(db.execute("SELECT count(*) FROM sms_messages WHERE program_id = 4711 AND type = 'MO'").fetchone()[0])
PY
)
  check "the wheel's sms_export: __version__, loadable_path() in the venv, load(conn), a query" \
    "$version
True
$version
$(dump_count 4711 "json_extract(value, '$.type') = 'MO'")" "$out"
  # load() with Debian's apsw (its own SQLite; 3.40 says enableloadextension and
  # loadextension, not load_extension): the venv's package on the system Python's path.
  site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  if "$PYTHON3" -c 'import apsw' 2>/dev/null; then
    out=$(cd "$TMPDIR_SMS" && PYTHONPATH=$site "$PYTHON3" -c '
import apsw, sms_export
db = apsw.Connection(":memory:")
(getattr(db, "enable_load_extension", None) or db.enableloadextension)(True)
sms_export.load(db)
print(list(db.execute("SELECT count(*) FROM sms_messages(4711)"))[0][0])
try:
    sms_export.load(object())
except TypeError as e:
    print(e)' 2>&1)
    check "the wheel's load() on an apsw connection, and on something else a TypeError"       "$(dump_count 4711 1)
sms_messages: load() needs a connection with a load_extension() method (sqlite3's or apsw's), not object" "$out"
  else
    echo "not ok - python3-apsw is installed (make deps installs it): the wheel's load() on apsw"
  fi
  # load() when libcjson is missing: the installed library swapped for the unlinked copy.
  so=$(cd "$TMPDIR_SMS" && "$venv/bin/python" -c 'import sms_export; print(sms_export.loadable_path() + ".so")')
  unlinked "$so" "$so.tmp" && mv "$so.tmp" "$so"
  out=$(cd "$TMPDIR_SMS" && "$venv/bin/python" -c '
import sqlite3, sms_export
db = sqlite3.connect(":memory:")
db.enable_load_extension(True)
try:
    sms_export.load(db)
    print("loaded")
except sqlite3.OperationalError as e:
    print(type(e).__name__, e)' 2>&1)
  check "the wheel's load() without libcjson: an OperationalError that names the library and says what to install" \
    "OperationalError sms_messages: cannot load ${so%.so}: libcjzzz.so.1: cannot open shared object file: No such file or directory; $needs" "$out"
fi

# 3. The npm package, into a fresh project, with the better-sqlite3 the Node tests built.
source "$HOSTS/node_modules.sh"
proj=$TMPDIR_SMS/npm-project
mkdir -p "$proj"
printf '{"name": "sms-export-try", "version": "1.0.0", "private": true}\n' > "$proj/package.json"
out=$(cd "$proj" && "$NPM" install --offline --no-audit --no-fund "$dist/sms-export-$version.tgz" 2>&1); rc=$?
check "npm install of the package's tarball into a fresh project" \
  "0 $version" "$rc $(cd "$proj" && "$NODE" -p "require('./package.json').dependencies['sms-export'].includes('sms-export-$version.tgz') && require('sms-export/package.json').version" 2>&1)"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -5 | sed 's/^/#   /'
cat > "$proj/try.js" <<'JS'
const Database = require('better-sqlite3');
const smsExport = require('sms-export');
const db = new Database(':memory:');
smsExport.load(db);
console.log(smsExport.version);
console.log(smsExport.getLoadablePath().startsWith(__dirname + '/node_modules/sms-export/'));
console.log(db.prepare('SELECT sms_export_version()').pluck().get());
console.log(db.prepare('SELECT count(*) FROM sms_messages(4712)').pluck().get());
JS
check "the npm package: version, getLoadablePath() in node_modules, load(db), a query" \
  "$version
true
$version
1000" "$(cd "$proj" && NODE_PATH=$BUILD/node_modules "$NODE" try.js 2>&1)"
so=$proj/node_modules/sms-export/lib/sms_export.so
unlinked "$so" "$so.tmp" && mv "$so.tmp" "$so"
check "the npm package's load() without libcjson: a SqliteError that names the library and says what to install" \
  "SqliteError sms_messages: cannot load $so: libcjzzz.so.1: cannot open shared object file: No such file or directory; $needs" \
  "$(cd "$proj" && NODE_PATH=$BUILD/node_modules "$NODE" -e "
const Database = require('better-sqlite3');
try { require('sms-export').load(new Database(':memory:')); console.log('loaded'); }
catch (e) { console.log(e.name + ' ' + e.message); }" 2>&1)"

# 4. The Debian package, inspected and unpacked, never installed.
deb=$dist/sms-export_${version}_$deb_arch.deb
field() { dpkg-deb -f "$deb" "$1"; }
check "dpkg-deb -I: package, version, architecture, section" \
  "sms-export $version $deb_arch database" "$(field Package) $(field Version) $(field Architecture) $(field Section)"
# The libraries the extension links (its NEEDED entries, where ldd finds them), by the
# packages that hold them: what Depends should name, no more, no fewer.
want=$(objdump -p "$EXT.so" | awk '$1 == "NEEDED" {print $2}' | while read -r n; do
  f=$(ldd "$EXT.so" | awk -v n="$n" '$1 == n {print $3}')
  dpkg -S "$(readlink -f "$f")" 2>/dev/null || dpkg -S "$f"; done | cut -d: -f1 | LC_ALL=C sort -u)
got=$(field Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//' | LC_ALL=C sort -u)
check "Depends names the package of every library the extension links (NEEDED, ldd, dpkg -S)" \
  "$want" "$got"
check_match "Depends gives each a version (dpkg-shlibdeps)" \
  '^libc6 \(>= [0-9.]+\), libcjson1 \(>= [0-9.]+\), libcurl4 \(>= [0-9.]+\)$' "$(field Depends)"
x=$TMPDIR_SMS/deb-root
dpkg-deb -x "$deb" "$x"
check "the package's files: the library in /usr/lib/sqlite3, the license, the changelog" \
  "usr/lib/sqlite3/sms_export.so
usr/share/doc/sms-export/changelog.gz
usr/share/doc/sms-export/copyright" "$(cd "$x" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)"
check "the copyright file carries the MIT license's text" "Expat yes" \
  "$(sed -n 's/^License: //p' "$x/usr/share/doc/sms-export/copyright") $(grep -q 'Permission is hereby granted, free of charge' "$x/usr/share/doc/sms-export/copyright" && echo yes)"
check "the packaged library loads from the unpacked tree and reads the API" "$version|1000" \
  "$("$SQLITE3" -batch -cmd ".load $x/usr/lib/sqlite3/sms_export" :memory: \
      "SELECT sms_export_version(), (SELECT count(*) FROM sms_messages(4713));" 2>&1)"
if command -v lintian >/dev/null; then
  out=$(lintian --fail-on error "$deb" 2>&1); rc=$?
  check "lintian finds no error in the .deb" 0 "$rc"
  [ "$rc" -eq 0 ] || printf '%s\n' "$out" | grep -v 'root privileges' | head -10 | sed 's/^/#   /'
else
  echo "not ok - lintian is installed (make deps installs it)"
fi
