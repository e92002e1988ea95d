#!/usr/bin/env bash
# `make demo`: start the API emulator with the life of three programs (--life: subscribers who
# come back, keywords answered, blasts) on a free port, run sql-tests/demo.sql in the sqlite3
# shell with the extension loaded, show what was asked of the API, and stop the emulator. Its
# clock is the real one, so "the last 7 days" means what it says, and the life is dated in
# absolute time: a demo run later shows the same past.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
emu_start demo --life --programs 3 --messages 20000 --seed 7 --user demo --password demo-secret
export SMS_API_BASE_URL=$demo_URL SMS_API_USERNAME=demo SMS_API_PASSWORD=demo-secret
unset SMS_EXPORT_NOW
echo "API emulator at $demo_URL (user demo); sqlite3 $("$SQLITE3" --version | cut -d' ' -f1)"
echo
sql < "$ROOT/sql-tests/demo.sql"
echo
echo "== The requests the emulator received ($(wc -l < "$demo_LOG") in all)"
sed -e "s#^GET /api#GET $demo_URL#" -e 's/ auth=ok$//' "$demo_LOG" | head -20
