/*
** sms_vtab.h: the virtual tables: sms_messages (query planning and the cursor, in
** sms_vtab.c) and sms_requests (the connection's recent requests, in sms_requests.c).
**
** Boundary: everything that speaks SQLite's virtual-table interface lives in sms_vtab.c
** and sms_requests.c; they call down into sms_window (dates), sms_config (options and
** credentials), sms_scan (which requests, and when), sms_http (requests and retries) and
** sms_page (JSON to rows), none of which sees SQLite.
*/
#ifndef SMS_VTAB_H
#define SMS_VTAB_H

#include <sqlite3ext.h>

#include "sms_cache.h"
#include "sms_http.h"
#include "sms_log.h"

/* What the tables of one database connection share. */
typedef struct SmsContext {
  SmsLog *pLog;         /* the connection's recent requests, read by sms_requests */
  SmsHttpShare *pShare; /* DNS answers, TLS sessions and connections */
  SmsMissLog misses;    /* the connection's recent cache misses, to widen repeated ones */
  int nOpen;            /* open sms_messages cursors: a statement starts when the first opens */
} SmsContext;

SmsContext *sms_context_new(void);
void sms_context_free(void *pCtx);

/* Register the module "sms_messages" on db. It owns pCtx from here on (even when this
** fails) and frees it when the connection closes. */
int sms_vtab_register(sqlite3 *db, SmsContext *pCtx);

/* Register the eponymous table "sms_requests", reading pCtx's log (not owned). */
int sms_requests_register(sqlite3 *db, SmsContext *pCtx);

/* Register the eponymous table "sms_cache", the process's window cache (sms_cache_table.c). */
int sms_cache_table_register(sqlite3 *db);

#endif /* SMS_VTAB_H */
