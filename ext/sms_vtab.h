/*
** sms_vtab.h: the virtual tables: sms_messages (query planning and the cursor, in
** sms_vtab.c) and sms_requests (the connection's recent requests, in sms_requests.c).
**
** Boundary: everything that speaks SQLite's virtual-table interface lives in sms_vtab.c;
** it calls down into sms_window (dates), sms_config (options and credentials), sms_http
** (requests and retries) and sms_page (JSON to rows), none of which sees SQLite.
*/
#ifndef SMS_VTAB_H
#define SMS_VTAB_H

#include <sqlite3ext.h>

#include "sms_log.h"

/* Register the module "sms_messages" on db; its requests are recorded in pLog, which
** must outlive the connection's use of the module. */
int sms_vtab_register(sqlite3 *db, SmsLog *pLog);

/* Register the eponymous table "sms_requests" reading pLog, which it frees when the
** connection closes. */
int sms_requests_register(sqlite3 *db, SmsLog *pLog);

#endif /* SMS_VTAB_H */
