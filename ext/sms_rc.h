/*
** sms_rc.h: the one return convention of the layers below the tables.
**
** Every function of sms_window, sms_config, sms_page, sms_cache, sms_http and sms_scan that
** can fail returns one of these codes and, where there is something to say, writes a sentence
** into a buffer its caller owns. They are SQLite's own numbers, so the tables return them as
** they are.
*/
#ifndef SMS_RC_H
#define SMS_RC_H

#define SMS_OK 0        /* done */
#define SMS_ERROR 1     /* failed; the caller's buffer says why */
#define SMS_NOMEM 7     /* out of memory */
#define SMS_INTERRUPT 9 /* the user interrupted (sqlite3_interrupt) */
#define SMS_TOOBIG 18   /* more than a limit allows (a page with too many rows) */

#endif /* SMS_RC_H */
