/*
** sms_vtab.h: the sms_messages virtual table (query planning and the cursor).
**
** Boundary: everything that speaks SQLite's virtual-table interface lives in sms_vtab.c;
** it calls down into sms_window (dates), sms_config (options and credentials), sms_http
** (requests and retries) and sms_page (JSON to rows), none of which sees SQLite.
*/
#ifndef SMS_VTAB_H
#define SMS_VTAB_H

#include <sqlite3ext.h>

/* Register the module "sms_messages" on db. */
int sms_vtab_register(sqlite3 *db);

#endif /* SMS_VTAB_H */
