/*
** sms_config.h: options, environment variables, ~/.netrc, and whose credentials may go
** where.
**
** Boundary: pure C, no SQLite and no network. The vtab hands in the arguments of
** CREATE VIRTUAL TABLE (none for the eponymous table) and gets back a validated SmsConfig,
** or an error text starting with "sms_messages: " that names the bad option.
**
** Credentials are bound to an origin (scheme, host, port), so that a schema someone else
** wrote cannot route them: options go only to their own table's base_url, the environment's
** only to SMS_API_BASE_URL (or the default base URL), a ~/.netrc entry only to its host;
** and none of them over plain http to a host other than this machine unless the user says
** so: SMS_ALLOW_HTTP=1 in the environment for any of them, or a table's allow_http=1 for the
** credentials in that table's own options (a schema may say allow_http=1, but never for the
** user's credentials), and then never through a proxy.
*/
#ifndef SMS_CONFIG_H
#define SMS_CONFIG_H

#include "sms_rc.h"

#include <stddef.h>

#define SMS_DEFAULT_BASE_URL "https://communicatepro.mgage.com/api"

/* Every message a user sees starts with this. */
#define SMS_ERR_PREFIX "sms_messages: "
#define SMS_MAX_PAGE_SIZE 500
#define SMS_DEFAULT_CACHE_TTL 60 /* seconds fetched rows answer later statements */
#define SMS_DEFAULT_CACHE_MB 64  /* MiB the process's cache holds (docs/performance.md) */
/* progress=auto, the default: a line only on a terminal, after a second (sms_progress.h) */
#define SMS_PROGRESS_AUTO 2

typedef struct SmsConfig {
  long long iProgram;      /* program scanned when WHERE names none; 0 = none */
  char *zBaseUrl;          /* API base, no trailing '/' */
  char *zUser;             /* Basic auth user; NULL when no credentials apply */
  char *zPassword;         /* Basic auth password; never shown anywhere */
  const char *zCredSource; /* where the credentials came from, for error messages */
  char *zNoCredHint;       /* when zUser is NULL: what the user can do about it */
  int nPageSize;           /* messages per request, 1 to 500 */
  int nTimeout;            /* seconds one HTTP request may take */
  int nRetries;            /* further tries after a transient failure */
  int nParallel;           /* date sub-windows fetched at once */
  int bParallelSet;  /* parallel was given (option or SMS_PARALLEL): no adaptive default */
  int bProgress;     /* the progress line: 0 never, 1 always, SMS_PROGRESS_AUTO (default) */
  char *zCaFile;     /* CA certificates to verify TLS with; NULL: the system's */
  int bCaEnv;        /* zCaFile came from SMS_CA_FILE, not from the ca_file option */
  int bForeign;      /* base_url is not the environment's (or default) origin */
  int nCacheTtl;     /* seconds cached rows answer later statements; 0: no cache */
  int nCacheMb;      /* MiB the process's cache may hold */
  double rRateLimit; /* requests per second to base_url's origin; 0 = no limit */
  int bAllowHttp;    /* allow_http=1: this table's own option credentials may cross plain
                     ** http to any host (never the environment's or ~/.netrc's) */
  int bNoProxy;      /* libcurl must use no proxy: the loopback, or allow_http credentials */
} SmsConfig;

/* Fill *p from the CREATE VIRTUAL TABLE arguments (argc of them, "key=value" each), the
** environment and ~/.netrc. Returns SMS_OK, SMS_ERROR with zErr set, or SMS_NOMEM; either
** way the caller calls sms_config_clear. */
int sms_config_init(SmsConfig *p, int argc, const char *const *argv, char *zErr, size_t nErr);
void sms_config_clear(SmsConfig *p);

/* Scheme, lowercased host, and port of an http(s) URL. SMS_OK, or SMS_ERROR when the URL is
** not http:// or https:// with a host. zScheme holds 8 bytes, zHost 256. */
int sms_url_origin(const char *zUrl, char *zScheme, char *zHost, int *piPort);

/* 1 when zHost (as sms_url_origin writes it: lowercased, an IPv6 address in brackets) is
** this machine: localhost, 127.0.0.0/8, ::1 (or ::ffff:127.x.y.z). Only these get Basic
** credentials over plain http without allow_http=1; a name that merely resolves to the
** loopback does not count. */
int sms_host_is_loopback(const char *zHost);

/* The proxy variable ("http_proxy", "all_proxy" or "ALL_PROXY") that libcurl would use for a
** plain http URL on zHost (as sms_url_origin writes it), or NULL: none set, the loopback, or
** the host named by no_proxy/NO_PROXY ("*", the host, or a domain of it). Simple on purpose:
** a no_proxy entry it does not understand counts for nothing, so a doubt means "proxied". */
const char *sms_http_proxy_variable(const char *zHost);

/* 1 when both URLs parse and have the same origin. */
int sms_same_origin(const char *zA, const char *zB);

#endif /* SMS_CONFIG_H */
