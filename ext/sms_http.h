/*
** sms_http.h: the HTTP client: one GET of one page, with retries, decoded.
**
** Boundary: libcurl and the page decoder, no SQLite calls. A cursor keeps its SmsHttp
** clients (one curl handle each, so pages reuse the connection; sms_scan opens one per
** parallel stream) and asks for pages by URL; this layer retries what is worth retrying
** and turns every failure into one sentence starting with "sms_messages: " that names the
** URL (never the password) and says what to do. The Date of every response goes to
** sms_clock.h, which so learns each server's clock.
*/
#ifndef SMS_HTTP_H
#define SMS_HTTP_H

#include "sms_config.h"
#include "sms_log.h"
#include "sms_page.h"
#include "sms_rc.h"

#include <stddef.h>

/* Largest response body accepted: a page of 500 messages is well under 1 MiB. */
#define SMS_MAX_BODY (64u << 20)

typedef struct SmsHttp SmsHttp;

/* What the clients of one database connection share: DNS answers and TLS sessions
** (libcurl's share interface), and open connections (a closed client's curl handle waits,
** connected, for the next client), so a new statement reuses them. */
typedef struct SmsHttpShare SmsHttpShare;
SmsHttpShare *sms_http_share_new(void);
void sms_http_share_free(SmsHttpShare *p);

/* A new client for the credentials and limits of *pCfg, which must outlive it, sharing
** pShare (may be NULL) with the connection's other clients. xStop, when not NULL, is polled
** during waits and transfers; a non-zero answer abandons the request with SMS_INTERRUPT. */
int sms_http_open(SmsHttp **pp, const SmsConfig *pCfg, SmsHttpShare *pShare,
                  int (*xStop)(void *), void *pStopArg);
void sms_http_close(SmsHttp *p);

/* Change what is polled during waits and transfers (a client outlives a scan). */
void sms_http_set_stop(SmsHttp *p, int (*xStop)(void *), void *pStopArg);

/* GET zUrl and decode it into *pPage (cleared first). iProgram only words errors. nPageSize
** is the pageSize the chain asked for: a page of more messages than it may hold
** (sms_page_decode_max) fails at once, before its rows are recorded (0: no limit). Returns
** SMS_OK, or an error code with zErr set. xAhead, when not NULL, is asked with the next
** page's URL as soon as the page came, before it is decoded: a non-zero answer sends that
** request ahead (see sms_http.c), for the next call to collect. */
int sms_http_fetch_page(SmsHttp *p, const char *zUrl, long long iProgram, int nPageSize,
                        SmsPage *pPage, int (*xAhead)(void *, const char *), void *pAheadArg,
                        char *zErr, size_t nErr);

/* Drop the request sent ahead, if any: a scan that ends leaves none to the next. It is
** logged as sent and not read. */
void sms_http_drop_ahead(SmsHttp *p);

/* For a caller that waits for something else while a request sent ahead is out: read its
** answer as it comes, for at most ms milliseconds (libcurl's timeout counts from the send,
** so an answer left unread would time out under a slow reader). */
void sms_http_pump_ahead(SmsHttp *p, int ms);

/* Whether a request sent ahead is out and its answer not all in. */
int sms_http_ahead_running(const SmsHttp *p);

/* The HTTP status of the last try of the last fetch; 0 when no response came. A scan reads
** it to tell a 400 (a request the API refused) from other failures. */
long sms_http_status(const SmsHttp *p);

/* Record every try in pLog (may be NULL). */
void sms_http_set_log(SmsHttp *p, SmsLog *pLog);

#endif /* SMS_HTTP_H */
