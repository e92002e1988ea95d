# What loading the extension adds to a connection, exactly: its SQL functions (name, number
# of arguments, flags) and its virtual-table modules, as pragma_function_list and
# pragma_module_list show them on a connection without and with `.load`. Anything new that
# the extension registers must be added here (and to docs/reference.md) on purpose.
source "$(dirname "$0")/../lib.sh"

LIST="SELECT 'function ' || name || '(' || narg || ' args)'
         || iif(flags & 0x000800, ' deterministic', '')
         || iif(flags & 0x200000, ' innocuous', '')
         || iif(flags & 0x080000, ' directonly', '')
    FROM pragma_function_list
  UNION ALL SELECT 'module ' || name FROM pragma_module_list
  ORDER BY 1;"
without=$("$SQLITE3" -batch :memory: "$LIST" 2>&1)
with=$(sql <<<"$LIST")
# comm wants the byte order SQLite sorted in
added=$(LC_ALL=C comm -13 <(printf '%s\n' "$without") <(printf '%s\n' "$with"))
lost=$(LC_ALL=C comm -23 <(printf '%s\n' "$without") <(printf '%s\n' "$with"))

check "loading the extension registers exactly these functions and modules" \
"function sms_export_version(0 args) deterministic innocuous
module sms_cache
module sms_messages
module sms_requests" "$added"
check "... and takes away or redefines nothing the connection had" "" "$lost"
check_match "... of a list that is really there (SQLite's own functions and modules)" \
  '^[1-9][0-9]{2,}$' "$(grep -c . <<<"$without")"
