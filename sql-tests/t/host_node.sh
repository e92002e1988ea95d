# Node.js as a SQLite host: better-sqlite3 12 (13 needs Node.js 22) loads the extension and
# runs real queries against the runner's emulator (sql-tests/hosts/node_host.js).
#
# better-sqlite3 is installed once into build/node_modules from the committed
# sql-tests/hosts/package-lock.json (npm ci, from the npm registry only) and reused while
# package.json and the lock file are unchanged. Its native module is compiled from the
# package's own source (no prebuilt binary is downloaded); the first run takes about two
# minutes. Needs node, npm, make, g++ and python3.
source "$(dirname "$0")/../lib.sh"

HOSTS=$ROOT/sql-tests/hosts
NODE=${NODE:-node}
NPM=${NPM:-npm}

for v in main_LOG SMS_API_BASE_URL SMS_API_USERNAME SMS_API_PASSWORD; do
  [ -n "${!v:-}" ] || { echo "not ok - run by sql-tests/run.sh ($v is not set)"; exit 1; }
done
for tool in "$NODE" "$NPM"; do
  command -v "$tool" >/dev/null || { echo "not ok - $tool is installed (Node.js 20 with npm)"; exit 1; }
done

# The key of an installation: the manifest and the lock file it was made from.
want_key=$(cat "$HOSTS/package.json" "$HOSTS/package-lock.json" | sha256sum | cut -d' ' -f1)
stamp=$BUILD/node_modules/.sms-export-installed
installed() {
  [ -f "$BUILD/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ] &&
    [ "$(cat "$stamp" 2>/dev/null)" == "$want_key" ]
}

install_node_modules() {
  mkdir -p "$BUILD"
  cp "$HOSTS/package.json" "$HOSTS/package-lock.json" "$BUILD/"
  rm -f "$stamp"
  local node_prefix
  node_prefix=$(cd "$(dirname "$(readlink -f "$(command -v "$NODE")")")/.." && pwd)
  (
    # The runner's HOME is a fresh folder: say here what ~/.npmrc might have said.
    export npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false
    export npm_config_build_from_source=true          # prebuild-install: no download
    export JOBS=2                                     # node-gyp: make -j2
    # node-gyp compiles against the installed Node.js headers, when it has them, instead
    # of downloading them; and uses Debian's python3.
    [ -f "$node_prefix/include/node/node.h" ] && export npm_config_nodedir=$node_prefix
    [ -x /usr/bin/python3 ] && export npm_config_python=/usr/bin/python3
    "$NPM" ci --prefix "$BUILD" --no-audit --no-fund
  ) >"$BUILD/npm-install.log" 2>&1 || return 1
  [ -f "$BUILD/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ] || return 1
  echo "$want_key" > "$stamp"
}

if ! installed; then
  # one installer at a time, when several test runs share this build folder
  mkdir -p "$BUILD"
  exec 9>"$BUILD/.node_modules.lock"
  flock 9
  if ! installed && ! install_node_modules; then
    echo "not ok - npm ci installs better-sqlite3 into build/node_modules"
    tail -30 "$BUILD/npm-install.log" | sed 's/^/#   /'
    exit 1
  fi
  flock -u 9
  exec 9>&-
fi
echo "ok - better-sqlite3 is installed in build/node_modules"

NODE_PATH=$BUILD/node_modules "$NODE" "$HOSTS/node_host.js"
