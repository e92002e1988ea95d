# `make install` with DESTDIR and PREFIX: the library lands in $DESTDIR$PREFIX/lib, loads in
# the sqlite3 shell from there, and reports the VERSION file's version.
#
# Only the install target runs, and with -o (--old-file) on the library, so that make never
# rebuilds it here: `make test` has just built it, and other builds may be running in this tree.
source "$(dirname "$0")/../lib.sh"

case $(uname -s) in Darwin) SO=dylib ;; *) SO=so ;; esac
LIB=build/sms_export.$SO
version=$(cat "$ROOT/VERSION")
[ -f "$ROOT/$LIB" ] || { echo "not ok - $LIB is built (run make first)"; exit 1; }

# 1. DESTDIR=$tmp PREFIX=/usr
dest=$TMPDIR_SMS/destdir
out=$(make --no-print-directory -C "$ROOT" -o "$LIB" install DESTDIR="$dest" PREFIX=/usr 2>&1); rc=$?
check "make install DESTDIR=... PREFIX=/usr succeeds" 0 "$rc"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
check "the library is in \$DESTDIR/usr/lib and nothing else is installed" \
  "$dest/usr/lib/sms_export.$SO" "$(find "$dest" -type f)"
check "the installed file is the built library" "same" \
  "$(cmp -s "$ROOT/$LIB" "$dest/usr/lib/sms_export.$SO" && echo same)"
check "the installed file is mode 644" "644" "$(stat -c %a "$dest/usr/lib/sms_export.$SO" 2>&1)"

# 2. it loads in the sqlite3 shell from there, without the suffix
check "the installed library loads; sms_export_version() is the VERSION file" "$version" \
  "$("$SQLITE3" -batch -cmd ".load $dest/usr/lib/sms_export" :memory: "SELECT sms_export_version();" 2>&1)"
if [ -n "${SMS_API_BASE_URL:-}" ]; then   # run by sql-tests/run.sh: its emulator is there
  check "the installed library reads the API" "1000" \
    "$("$SQLITE3" -batch -cmd ".load $dest/usr/lib/sms_export" :memory: \
        "SELECT count(*) FROM sms_messages(4711);" 2>&1)"
fi

# 3. the default PREFIX is /usr/local
dest2=$TMPDIR_SMS/destdir-default
out=$(make --no-print-directory -C "$ROOT" -o "$LIB" install DESTDIR="$dest2" 2>&1); rc=$?
check "make install DESTDIR=... (default PREFIX) installs into /usr/local/lib" \
  "0 $dest2/usr/local/lib/sms_export.$SO" "$rc $(find "$dest2" -type f)"
