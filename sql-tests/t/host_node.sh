# Node.js as a SQLite host: better-sqlite3 12 (13 needs Node.js 22) loads the extension and
# runs real queries against the runner's emulator (sql-tests/hosts/node_host.js).
# sql-tests/hosts/node_modules.sh installs better-sqlite3 (the first run takes about two
# minutes).
source "$(dirname "$0")/../lib.sh"

HOSTS=$ROOT/sql-tests/hosts
NODE=${NODE:-node}
NPM=${NPM:-npm}

for v in main_LOG SMS_API_BASE_URL SMS_API_USERNAME SMS_API_PASSWORD; do
  [ -n "${!v:-}" ] || { echo "not ok - run by sql-tests/run.sh ($v is not set)"; exit 1; }
done
source "$HOSTS/node_modules.sh"

NODE_PATH=$BUILD/node_modules "$NODE" "$HOSTS/node_host.js"
