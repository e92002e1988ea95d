/*
** sms_export.c: the entry point of the sms_export SQLite extension.
**
** The extension reads the SMS export REST API of Acoustic Campaign's SMS Campaign Manager
** (served by mGage) as a table. Usage, in the sqlite3 shell:
**
**     .load ./build/sms_export
**     SELECT date, number, body FROM sms_messages
**      WHERE program_id = 4711 AND type = 'MO' AND date >= '2026-11-01';
**     SELECT sms_export_version();
**
**     SELECT url, status, rows, ms FROM sms_requests;   -- what the queries cost
**     SELECT * FROM sms_cache;                         -- what the cache holds
**
** This file only registers things: the tables are sms_vtab.c, sms_requests.c and
** sms_cache_table.c. See
** docs/reference.md.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "sms_vtab.h"

/* sms_export_version(): the extension's version, from the VERSION file. */
static void version_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  sqlite3_result_text(ctx, SMS_EXPORT_VERSION, -1, SQLITE_STATIC);
}

#ifdef _WIN32
__declspec(dllexport)
#else
__attribute__((visibility("default")))
#endif
    int sqlite3_smsexport_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi) {
  int rc;
  (void)pzErrMsg;
  SQLITE_EXTENSION_INIT2(pApi);
  rc = sqlite3_create_function(db, "sms_export_version", 0,
                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, 0,
                               version_func, 0, 0);
  if (rc != SQLITE_OK) return rc;
  /* One context per connection, shared by the two tables. */
  SmsContext *pCtx = sms_context_new();
  if (!pCtx) return SQLITE_NOMEM;
  rc = sms_requests_register(db, pCtx);
  if (rc == SQLITE_OK) rc = sms_cache_table_register(db);
  if (rc != SQLITE_OK) {
    sms_context_free(pCtx);
    return rc;
  }
  return sms_vtab_register(db, pCtx);
}
