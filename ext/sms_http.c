/*
** sms_http.c: the HTTP client: one GET of one page, with retries, decoded. See sms_http.h.
**
** A try fails "transiently" (worth another) on 429, 500, 502, 503, 504, a network error
** (refused, reset, timeout, cut short) or a 200 whose body is not a page (cut short or
** garbled in transit). Tries are spaced by capped exponential backoff with jitter, or by
** the server's Retry-After when it gives one. Anything else fails at once: retrying a 400
** or a 401 only repeats it, and a host name that does not resolve is a misspelt base_url
** far more often than a bad moment of DNS.
**
** Each message names what to check for its failure (see "Advice" below): a connection
** refused (nothing listens at base_url's host and port), a name that does not resolve, TLS
** spoken to a port that answers in plain http, and a 404 that is not the API's own "no such
** program" (a path that is not the API's: base_url without its /api).
**
** Every try first waits for its turn at the origin (sms_rate.h: the rate_limit option and
** the pause after a 429, shared by the whole process), and a 429 pauses every stream of
** the origin, not only the one that got it.
**
** Credentials go through CURLOPT_USERNAME/PASSWORD, never into a URL, and redirects are
** not followed, so they reach only the URL the vtab asked for; a loopback base_url bypasses
** every proxy (SmsConfig.bNoProxy).
**
** A transfer runs on libcurl's multi interface, in steps of at most POLL_MS, with xStop
** asked between steps: an interrupt ends a request within POLL_MS whatever the transfer is
** doing. (libcurl's progress callback, the other way in, runs about once a second while a
** transfer waits for its answer.) A client's connections live in its multi handle, so the
** multi handle travels with the easy one into the idle pool.
**
** Sending ahead. A chain's next URL is in its page, so a server answers a chain one page at
** a time, and while the client decodes a page the server would idle, and the other way
** round. When the caller allows it (xAhead), the client reads the next URL from the head of
** a page that came (sms_page_peek_next) and sends that request before it decodes the page:
** the server builds the next page while this one is decoded. While the caller then waits
** (for SQLite to take its page), it reads the answer as it comes (sms_http_pump_ahead), so
** that a slow reader never makes the request time out; the next fetch of that URL collects
** the answer. A fetch of any other URL, a retry and closing the client drop the request
** (its connection is closed when it is still under way). The request is the first try of
** the next fetch: it is sent only when its turn at the origin has come already (no page
** that came waits for a rate limit), and is logged when it is collected, or, dropped, as a
** request sent ahead and not read: that happens when the page it was read from turns out
** garbled, or when the scan stops before it gets there. A client so holds two bodies at
** most (the page being decoded and the next one arriving).
*/
#include "sms_http.h"
#include "sms_rate.h"

#include "sms_clock.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define BACKOFF_FIRST_MS 200     /* the first wait; each next one doubles */
#define BACKOFF_CAP_MS 10000     /* no backoff wait is longer */
#define RETRY_AFTER_CAP_MS 60000 /* nor a server-requested one */
#define IDLE_HANDLES 32          /* kept per database connection: two cursors' streams */
#define POLL_MS 50               /* the longest a transfer runs without xStop being asked */
#define BODY_KEEP (4u << 20)     /* a body buffer larger than this is freed after its page */

struct SmsHttp {
  CURL *pEasy;                         /* reused for every page */
  CURLM *pMulti;                       /* drives pEasy in short steps; holds the connection */
  SmsHttpShare *pShare;                /* where pEasy goes back when the client closes */
  const SmsConfig *pCfg;               /* credentials and limits (owned by the table) */
  int (*xStop)(void *);                /* polled in waits and transfers; may be NULL */
  void *pStopArg;                      /* argument of xStop */
  char *zBody;                         /* the response body of the current try */
  size_t nBody;                        /* bytes in zBody */
  size_t nAlloc;                       /* bytes allocated at zBody */
  char *zSpare;                        /* the other body buffer: a page being decoded while */
  size_t nSpareAlloc;                  /* ...the request sent ahead fills zBody */
  char *zAhead;                        /* the URL of the request sent ahead; NULL: none */
  double rAheadWall;                   /* sms_wall_clock() when it was sent (for the log) */
  double rAheadStart;                  /* sms_monotonic() then */
  long long iAheadProgram;             /* the program it is of (for the log) */
  int bAdded;                          /* pEasy is in pMulti: a transfer is under way */
  int bFinished;                       /* the transfer begun last has ended... */
  CURLcode crcFinished;                /* ...so */
  double rFinished;                    /* sms_monotonic() when it ended */
  int (*xAhead)(void *, const char *); /* the current fetch may send this URL ahead */
  void *pAheadArg;                     /* argument of xAhead */
  size_t nPage;                        /* bytes of the body the current try got */
  double rTryEnd;                      /* sms_monotonic() when its transfer ended */
  int bTooBig;                         /* the body passed SMS_MAX_BODY */
  int nPageSize;                       /* pageSize of the current fetch; 0: no row limit */
  SmsLog *pLog;                        /* where every try is recorded; may be NULL */
  SmsRate *pRate;                      /* the pace of base_url's origin, process-wide */
  unsigned int iSeed;                  /* jitter state */
  long iStatus;                        /* HTTP status of the last try; 0 when none came */
  sms_time iDate;                      /* the Date header of the current try; 0 when none */
  char zCurlErr[CURL_ERROR_SIZE];      /* libcurl's own words for the last failure */
};

/* What a database connection's clients share: libcurl's DNS cache and TLS sessions
** through its share interface, and the connections themselves as the curl handles of
** closed clients. libcurl can put connections in the share too, but that is not safe
** between concurrent threads (CURLSHOPT_SHARE), and a parallel scan's streams are threads:
** a handle keeps its own connection instead, and a new client takes an idle handle. */
struct SmsHttpShare {
  CURLSH *pShare;                              /* libcurl's share handle */
  pthread_mutex_t aMutex[CURL_LOCK_DATA_LAST]; /* one lock per kind of shared data */
  pthread_mutex_t idleMutex;                   /* guards apIdle, apIdleMulti and nIdle */
  CURL *apIdle[IDLE_HANDLES];                  /* easy handles of closed clients */
  CURLM *apIdleMulti[IDLE_HANDLES];            /* their multi handles, connected */
  int nIdle;                                   /* entries in apIdle and apIdleMulti */
};

static void ahead_drop(SmsHttp *p);

static pthread_once_t curlOnce = PTHREAD_ONCE_INIT;
static CURLcode curlInitRc = CURLE_FAILED_INIT;

static void curl_init_once(void) {
  curlInitRc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* libcurl's share locks: the clients of a parallel scan run in several threads. */
static void share_lock(CURL *c, curl_lock_data eData, curl_lock_access eAccess, void *pArg) {
  SmsHttpShare *p = pArg;
  (void)c;
  (void)eAccess;
  pthread_mutex_lock(&p->aMutex[eData]);
}

static void share_unlock(CURL *c, curl_lock_data eData, void *pArg) {
  SmsHttpShare *p = pArg;
  (void)c;
  pthread_mutex_unlock(&p->aMutex[eData]);
}

SmsHttpShare *sms_http_share_new(void) {
  pthread_once(&curlOnce, curl_init_once);
  if (curlInitRc != CURLE_OK) return 0;
  SmsHttpShare *p = calloc(1, sizeof(*p));
  if (!p) return 0;
  p->pShare = curl_share_init();
  if (!p->pShare) {
    free(p);
    return 0;
  }
  for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
    pthread_mutex_init(&p->aMutex[i], 0);
  pthread_mutex_init(&p->idleMutex, 0);
  curl_share_setopt(p->pShare, CURLSHOPT_LOCKFUNC, share_lock);
  curl_share_setopt(p->pShare, CURLSHOPT_UNLOCKFUNC, share_unlock);
  curl_share_setopt(p->pShare, CURLSHOPT_USERDATA, p);
  curl_share_setopt(p->pShare, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(p->pShare, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  return p;
}

void sms_http_share_free(SmsHttpShare *p) {
  if (!p) return;
  while (p->nIdle > 0) {
    p->nIdle--;
    curl_easy_cleanup(p->apIdle[p->nIdle]);
    curl_multi_cleanup(p->apIdleMulti[p->nIdle]);
  }
  pthread_mutex_destroy(&p->idleMutex);
  curl_share_cleanup(p->pShare);
  for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
    pthread_mutex_destroy(&p->aMutex[i]);
  free(p);
}

static size_t on_body(char *z, size_t sz, size_t nmemb, void *pArg) {
  SmsHttp *p = pArg;
  size_t n = sz * nmemb;
  if (p->nBody + n > SMS_MAX_BODY) {
    p->bTooBig = 1;
    return 0;
  }
  if (p->nBody + n + 1 > p->nAlloc) {
    size_t nNew = p->nAlloc ? p->nAlloc * 2 : 256 * 1024;
    while (nNew < p->nBody + n + 1)
      nNew *= 2;
    char *zNew = realloc(p->zBody, nNew);
    if (!zNew) return 0;
    p->zBody = zNew;
    p->nAlloc = nNew;
  }
  memcpy(p->zBody + p->nBody, z, n);
  p->nBody += n;
  return n;
}

/* Every header line: the Date one tells the server's clock (sms_clock.h). */
static size_t on_header(char *z, size_t sz, size_t nmemb, void *pArg) {
  SmsHttp *p = pArg;
  size_t n = sz * nmemb;
  char zDate[64];
  if (n > 5 && n < sizeof(zDate) + 5 && strncasecmp(z, "Date:", 5) == 0) {
    memcpy(zDate, z + 5, n - 5);
    zDate[n - 5] = 0;
    time_t t = curl_getdate(zDate, 0);
    if (t > 0) p->iDate = (sms_time)t;
  }
  return n;
}

static int on_progress(void *pArg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d) {
  SmsHttp *p = pArg;
  (void)a, (void)b, (void)c, (void)d;
  return p->xStop && p->xStop(p->pStopArg);
}

int sms_http_open(SmsHttp **pp, const SmsConfig *pCfg, SmsHttpShare *pShare,
                  int (*xStop)(void *), void *pStopArg) {
  SmsHttp *p;
  *pp = 0;
  pthread_once(&curlOnce, curl_init_once);
  if (curlInitRc != CURLE_OK) return SMS_ERROR;
  p = calloc(1, sizeof(*p));
  if (!p) return SMS_NOMEM;
  p->pCfg = pCfg;
  p->xStop = xStop;
  p->pStopArg = pStopArg;
  p->iSeed = (unsigned int)time(0) ^ (unsigned int)(size_t)p;
  /* Found once: every URL this client fetches is on base_url's origin (sms_scan refuses a
  ** nextPageUrl elsewhere). */
  p->pRate = sms_rate_find(pCfg->zBaseUrl);
  if (!p->pRate) {
    free(p);
    return SMS_NOMEM;
  }
  if (pShare) { /* an idle handle, and with it an open connection */
    pthread_mutex_lock(&pShare->idleMutex);
    if (pShare->nIdle > 0) {
      pShare->nIdle--;
      p->pEasy = pShare->apIdle[pShare->nIdle];
      p->pMulti = pShare->apIdleMulti[pShare->nIdle];
    }
    pthread_mutex_unlock(&pShare->idleMutex);
  }
  p->pShare = pShare;
  if (!p->pEasy) p->pEasy = curl_easy_init();
  if (!p->pMulti) p->pMulti = curl_multi_init();
  if (!p->pEasy || !p->pMulti) {
    if (p->pEasy) curl_easy_cleanup(p->pEasy);
    if (p->pMulti) curl_multi_cleanup(p->pMulti);
    free(p);
    return SMS_NOMEM;
  }
  CURL *c = p->pEasy;
  long nConnect = pCfg->nTimeout < 30 ? pCfg->nTimeout : 30;
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding libcurl decodes */
  curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)pCfg->nTimeout);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, nConnect);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L); /* a stalled transfer ends early */
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, nConnect);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "sms_export/" SMS_EXPORT_VERSION);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, p->zCurlErr);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, p);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, p);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, p);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  if (pShare) curl_easy_setopt(c, CURLOPT_SHARE, pShare->pShare);
  if (pCfg->zCaFile) curl_easy_setopt(c, CURLOPT_CAINFO, pCfg->zCaFile);
  /* The loopback, and credentials a table sends over plain http by allow_http=1, go to no
  ** proxy: there the password would leave the machine, or reach a reader, in clear
  ** (sms_config.h). Otherwise libcurl follows http_proxy and the rest, as curl does. */
  if (pCfg->bNoProxy) curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  if (pCfg->zUser) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, pCfg->zUser);
    curl_easy_setopt(c, CURLOPT_PASSWORD, pCfg->zPassword);
  }
  *pp = p;
  return SMS_OK;
}

void sms_http_close(SmsHttp *p) {
  if (!p) return;
  /* Back to the idle handles with its connection; the reset drops every option (this
  ** client's callbacks and credentials) but keeps connections and the share. */
  ahead_drop(p);
  curl_easy_reset(p->pEasy);
  if (p->pShare) {
    pthread_mutex_lock(&p->pShare->idleMutex);
    if (p->pShare->nIdle < IDLE_HANDLES) {
      p->pShare->apIdle[p->pShare->nIdle] = p->pEasy;
      p->pShare->apIdleMulti[p->pShare->nIdle++] = p->pMulti;
      p->pEasy = 0;
      p->pMulti = 0;
    }
    pthread_mutex_unlock(&p->pShare->idleMutex);
  }
  if (p->pEasy) curl_easy_cleanup(p->pEasy);
  if (p->pMulti) curl_multi_cleanup(p->pMulti);
  free(p->zBody);
  free(p->zSpare);
  free(p);
}

void sms_http_set_log(SmsHttp *p, SmsLog *pLog) {
  p->pLog = pLog;
}

void sms_http_set_stop(SmsHttp *p, int (*xStop)(void *), void *pStopArg) {
  p->xStop = xStop;
  p->pStopArg = pStopArg;
}

void sms_http_drop_ahead(SmsHttp *p) {
  ahead_drop(p);
}

long sms_http_status(const SmsHttp *p) {
  return p->iStatus;
}

/* Sleep ms milliseconds in short slices, so that an interrupt ends the wait. */
static int wait_ms(SmsHttp *p, long ms) {
  while (ms > 0) {
    if (p->xStop && p->xStop(p->pStopArg)) return SMS_INTERRUPT;
    long slice = ms < 50 ? ms : 50;
    struct timespec ts = {0, slice * 1000000L};
    nanosleep(&ts, 0);
    ms -= slice;
  }
  return SMS_OK;
}

static int is_transient_status(long iStatus) {
  return iStatus == 429 || iStatus == 500 || iStatus == 502 || iStatus == 503 || iStatus == 504;
}

static int is_transient_curl(CURLcode rc) {
  switch (rc) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_PARTIAL_FILE:
  case CURLE_GOT_NOTHING:
  case CURLE_BAD_CONTENT_ENCODING:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    return 1;
  default:
    return 0;
  }
}

/* ---------------------------------------------------------------- advice
** What a message tells the user to check, chosen by the failure. Nothing here changes what
** is retried; only the words after the failure's own. */

/* Whether base_url ends in /api, as the API's address does. */
static int ends_in_api(const char *zBaseUrl) {
  size_t n = strlen(zBaseUrl);
  return n >= 4 && strcmp(zBaseUrl + n - 4, "/api") == 0;
}

/* Whether a TLS handshake got a plain-text answer: https:// to a port that speaks http.
** OpenSSL says "wrong version number" (1.1, 3.0) or "packet length too long" (3.2 on). */
static int is_plain_answer(const SmsHttp *p, CURLcode crc) {
  /* A plain-http server answers the ClientHello with a 400 in plain text and hangs up: the
  ** client reads the text ("wrong version number") or, when the hang-up wins, the reset
  ** (SSL_ERROR_SYSCALL), whichever comes first. */
  return crc == CURLE_SSL_CONNECT_ERROR && (strstr(p->zCurlErr, "wrong version number") ||
                                            strstr(p->zCurlErr, "packet length too long") ||
                                            strstr(p->zCurlErr, "SSL_ERROR_SYSCALL"));
}

/* After a failure no retry cures: "; what to check", or "". */
static const char *advice_fatal(const SmsHttp *p, CURLcode crc) {
  if (crc == CURLE_COULDNT_RESOLVE_HOST) return "; check the host name in base_url";
  if (is_plain_answer(p, crc)) {
    return "; base_url starts with https://: if the server speaks plain http on that port, "
           "write http://, or give the port that speaks https";
  }
  return "";
}

/* After the last try of a transient failure whose words are zWhy: "; what to check", or a
** word on the failure and then what to check. */
static const char *advice_transient(const SmsHttp *p, const char *zWhy) {
  long iErrno = 0;
  if (strcmp(zWhy, curl_easy_strerror(CURLE_COULDNT_CONNECT)) == 0 &&
      curl_easy_getinfo(p->pEasy, CURLINFO_OS_ERRNO, &iErrno) == CURLE_OK &&
      iErrno == ECONNREFUSED) {
    return " (connection refused): nothing listens at the host and port of base_url; check "
           "base_url, and that the server is running";
  }
  return "; try again later, or raise the retries or timeout option";
}

/* The API's own error text of the current body, as ": text", or "". */
static void api_details(SmsHttp *p, char *zOut, size_t nOut) {
  char zText[600];
  zOut[0] = 0;
  if (p->nBody && sms_page_error_text(p->zBody, p->nBody, zText, sizeof(zText)))
    snprintf(zOut, nOut, ": %s", zText);
}

/* The transfer under way ended with crc: its handle leaves the multi handle (the connection
** stays there, unless the transfer was cut off). */
static void transfer_finish(SmsHttp *p, CURLcode crc) {
  curl_multi_remove_handle(p->pMulti, p->pEasy);
  p->bAdded = 0;
  p->bFinished = 1;
  p->crcFinished = crc;
  p->rFinished = sms_monotonic();
}

/* Start a transfer of the URL set on p->pEasy: one step on p->pMulti, which sends the
** request on a connection that is open (a new one needs more steps, taken when the answer
** is read); transfer_end reads the answer. */
static CURLcode transfer_begin(SmsHttp *p) {
  int nRunning;
  p->nBody = 0;
  p->bTooBig = 0;
  p->zCurlErr[0] = 0;
  p->iDate = 0;
  p->bFinished = 0;
  if (curl_multi_add_handle(p->pMulti, p->pEasy) != CURLM_OK) return CURLE_OUT_OF_MEMORY;
  p->bAdded = 1;
  if (curl_multi_perform(p->pMulti, &nRunning) != CURLM_OK) {
    transfer_finish(p, CURLE_OUT_OF_MEMORY);
    return CURLE_OUT_OF_MEMORY;
  }
  return CURLE_OK;
}

/* libcurl's work on the transfer under way, without waiting: 1 when it has ended. */
static int transfer_step(SmsHttp *p) {
  int nRunning = 1, nLeft;
  CURLMsg *pMsg;
  if (curl_multi_perform(p->pMulti, &nRunning) != CURLM_OK) {
    transfer_finish(p, CURLE_OUT_OF_MEMORY); /* libcurl's only multi failures: internal */
    return 1;
  }
  if (nRunning) return 0;
  CURLcode crc = CURLE_OK;
  while ((pMsg = curl_multi_info_read(p->pMulti, &nLeft)) != 0) {
    if (pMsg->msg == CURLMSG_DONE && pMsg->easy_handle == p->pEasy) crc = pMsg->data.result;
  }
  transfer_finish(p, crc);
  return 1;
}

/* The rest of curl_easy_perform() for the transfer transfer_begin started, run in steps on
** p->pMulti: between steps xStop is asked, and a step waits at most POLL_MS for the network.
** CURLE_ABORTED_BY_CALLBACK when xStop (or the progress callback) ended the transfer. */
static CURLcode transfer_end(SmsHttp *p) {
  while (!p->bFinished && !transfer_step(p)) {
    if (p->xStop && p->xStop(p->pStopArg)) {
      transfer_finish(p, CURLE_ABORTED_BY_CALLBACK);
    } else if (curl_multi_poll(p->pMulti, 0, 0, POLL_MS, 0) != CURLM_OK) {
      transfer_finish(p, CURLE_OUT_OF_MEMORY);
    }
  }
  return p->crcFinished;
}

/* Drop the request sent ahead, if any: its answer is not wanted, and its connection, when
** the answer is still arriving, is closed by libcurl. It goes into the log as sent and not
** read. */
static void ahead_drop(SmsHttp *p) {
  if (p->zAhead && p->pLog) {
    SmsLogRecord rec;
    memset(&rec, 0, sizeof(rec));
    rec.zUrl = p->zAhead;
    rec.iProgram = p->iAheadProgram;
    rec.rTime = p->rAheadWall;
    rec.iAttempt = 1;
    rec.nRow = -1;
    if (p->bFinished && p->crcFinished == CURLE_OK) {
      long iStatus = 0;
      curl_easy_getinfo(p->pEasy, CURLINFO_RESPONSE_CODE, &iStatus);
      rec.iStatus = (int)iStatus;
      rec.nByte = (long long)p->nBody;
    }
    rec.rMs = ((p->bFinished ? p->rFinished : sms_monotonic()) - p->rAheadStart) * 1e3;
    rec.zError = "sent ahead and not read: the scan did not get to it";
    sms_log_add(p->pLog, &rec);
  }
  if (p->bAdded) transfer_finish(p, CURLE_ABORTED_BY_CALLBACK);
  free(p->zAhead);
  p->zAhead = 0;
  p->xAhead = 0;
  p->pAheadArg = 0;
}

/* Ready now: xStop for sms_rate_acquire that makes it a try, never a wait. */
static int no_wait(void *pArg) {
  (void)pArg;
  return 1;
}

/* Send zNext ahead (see the header), on the other body buffer, so that the page in zBody
** can still be decoded. Nothing is sent when it is not the origin's turn or memory is
** short: the fetch of zNext then sends it itself. */
static void ahead_send(SmsHttp *p, const char *zNext, long long iProgram) {
  char *z = strdup(zNext);
  if (!z) return;
  if (sms_rate_acquire(p->pRate, p->pCfg->rRateLimit, no_wait, 0) != SMS_OK) {
    free(z); /* not its turn yet: the fetch of zNext waits for it instead */
    return;
  }
  char *zTmp = p->zBody;
  size_t nTmp = p->nAlloc;
  p->zBody = p->zSpare;
  p->nAlloc = p->nSpareAlloc;
  p->zSpare = zTmp;
  p->nSpareAlloc = nTmp;
  p->zAhead = z;
  p->iAheadProgram = iProgram;
  p->rAheadWall = sms_wall_clock();
  p->rAheadStart = sms_monotonic();
  curl_easy_setopt(p->pEasy, CURLOPT_URL, z);
  if (transfer_begin(p) != CURLE_OK) { /* the fetch will send it again */
    free(p->zAhead);
    p->zAhead = 0;
  }
}

int sms_http_ahead_running(const SmsHttp *p) {
  return p->zAhead && !p->bFinished;
}

void sms_http_pump_ahead(SmsHttp *p, int ms) {
  if (!sms_http_ahead_running(p) || transfer_step(p)) return;
  if (curl_multi_poll(p->pMulti, 0, 0, ms, 0) != CURLM_OK) {
    transfer_finish(p, CURLE_OUT_OF_MEMORY);
    return;
  }
  transfer_step(p);
}

/* What one try came to. */
enum { TRY_DONE, TRY_AGAIN, TRY_FAILED };

/* What to do about a TLS failure, as a sentence to append to libcurl's own (zWhy), or "".
** The certificate is checked before any request is sent: nothing reached the server. An
** unknown CA is the common case behind a company proxy or with a private CA, and the cure is
** a CA file, named for one table (ca_file) or for all (SMS_CA_FILE); a certificate for
** another name is no matter of CAs. */
static void tls_advice(CURLcode crc, const char *zWhy, const SmsConfig *pCfg, char *zOut,
                       size_t nOut) {
  zOut[0] = 0;
  if (crc == CURLE_SSL_CACERT_BADFILE) {
    snprintf(zOut, nOut,
             ": the CA file %s names (%s) holds no PEM certificate libcurl can read; name a "
             "file of PEM CA certificates",
             pCfg->bCaEnv ? "SMS_CA_FILE" : "the ca_file option",
             pCfg->zCaFile ? pCfg->zCaFile : "");
  } else if (crc == CURLE_PEER_FAILED_VERIFICATION && strstr(zWhy, "subject name")) {
    snprintf(zOut, nOut,
             ": the server's certificate is for another name than base_url's host (nothing "
             "was sent); use the host name the certificate names in base_url. A CA file "
             "(the ca_file option, SMS_CA_FILE) does not change this");
  } else if (crc == CURLE_PEER_FAILED_VERIFICATION && pCfg->zCaFile) {
    snprintf(zOut, nOut,
             ": the server's certificate is not signed by a CA of %s (%s; nothing was sent); "
             "put the CA that signed it in that file, or name the right file with the ca_file "
             "option or the SMS_CA_FILE environment variable",
             pCfg->zCaFile, pCfg->bCaEnv ? "SMS_CA_FILE" : "the ca_file option");
  } else if (crc == CURLE_PEER_FAILED_VERIFICATION) {
    snprintf(zOut, nOut,
             ": the server's certificate is not signed by a CA this machine trusts (nothing "
             "was sent); behind a company proxy or with a private CA, name that CA's PEM "
             "certificates with the ca_file option (one table) or the SMS_CA_FILE environment "
             "variable (every table)");
  }
}

/* A note for the log when the answer's Date puts the server's clock far from ours and the
** connection has not heard it yet (its first answer, or the clock moved since): the window
** follows that clock, which the user should know rather than wonder at its dates. */
static int clock_note(SmsHttp *p, const char *zUrl, char *zNote, size_t nNote) {
  char zOrigin[300];
  sms_time iOffset;
  if (!sms_clock_far(zUrl, &iOffset, zOrigin, sizeof(zOrigin))) return 0;
  if (!sms_log_once(p->pLog, zOrigin, iOffset, SMS_CLOCK_SAY)) return 0;
  sms_clock_describe(zOrigin, iOffset, p->iDate, zNote, nNote);
  return 1;
}

/* One GET of zUrl. TRY_DONE: *pPage holds the page. TRY_AGAIN: a transient failure,
** zWhy says which, *pmsWait is the server's wish for the wait (0: none). TRY_FAILED: *pRc
** and zErr say why. *piStatus is the HTTP status, 0 when no response came. */
static int try_once(SmsHttp *p, const char *zUrl, long long iProgram, SmsPage *pPage, int bSent,
                    long *piStatus, long *pmsWait, int *pRc, char *zWhy, size_t nWhy,
                    char *zErr, size_t nErr) {
  const SmsConfig *pCfg = p->pCfg;
  char zDetails[620];
  long iStatus = 0;
  CURLcode crc = bSent ? CURLE_OK : transfer_begin(p);
  if (crc == CURLE_OK) crc = transfer_end(p);
  p->nPage = p->nBody;
  p->rTryEnd = p->bFinished ? p->rFinished : sms_monotonic();
  *pRc = SMS_ERROR;
  if (crc == CURLE_OK) curl_easy_getinfo(p->pEasy, CURLINFO_RESPONSE_CODE, &iStatus);
  *piStatus = p->iStatus = iStatus;
  if (p->iDate) sms_clock_learn(zUrl, p->iDate); /* any answer, a refusal included */
  if (crc == CURLE_ABORTED_BY_CALLBACK) {
    snprintf(zErr, nErr, SMS_ERR_PREFIX "interrupted");
    *pRc = SMS_INTERRUPT;
    return TRY_FAILED;
  }
  if (p->bTooBig) {
    snprintf(zErr, nErr,
             SMS_ERR_PREFIX
             "the response to GET %s is larger than %u MiB, far more than a page; "
             "check base_url",
             zUrl, SMS_MAX_BODY >> 20);
    return TRY_FAILED;
  }
  if (crc == CURLE_WRITE_ERROR) {
    snprintf(zErr, nErr, SMS_ERR_PREFIX "out of memory reading GET %s", zUrl);
    *pRc = SMS_NOMEM;
    return TRY_FAILED;
  }
  if (crc != CURLE_OK) {
    /* libcurl's own buffer has the details (a certificate problem, say), but for these
    ** two it holds elapsed times, which would make messages differ from run to run. */
    int bPlain = crc == CURLE_COULDNT_CONNECT || crc == CURLE_OPERATION_TIMEDOUT;
    snprintf(zWhy, nWhy, "%s",
             p->zCurlErr[0] && !bPlain ? p->zCurlErr : curl_easy_strerror(crc));
    if (is_transient_curl(crc)) return TRY_AGAIN;
    if (is_plain_answer(p, crc)) { /* libcurl's words are OpenSSL's, of no help here */
      snprintf(zWhy, nWhy,
               "the server does not speak TLS there (it answered the TLS handshake in plain "
               "text, or hung up on it)");
    }
    char zAdvice[400]; /* a certificate's failure (tls_advice), or another (advice_fatal) */
    tls_advice(crc, zWhy, pCfg, zAdvice, sizeof(zAdvice));
    snprintf(zErr, nErr, SMS_ERR_PREFIX "cannot GET %s: %s%s%s", zUrl, zWhy, zAdvice,
             advice_fatal(p, crc));
    return TRY_FAILED;
  }

  if (iStatus == 200) {
    char zDecode[300], zNext[4096];
    const char *zPage = p->zBody; /* stays valid: ahead_send swaps buffers */
    if (p->xAhead && sms_page_peek_next(zPage, p->nPage, zNext, sizeof(zNext)) &&
        strcmp(zNext, zUrl) != 0 && p->xAhead(p->pAheadArg, zNext)) {
      ahead_send(p, zNext, iProgram);
    }
    int rcDecode =
        sms_page_decode_max(zPage, p->nPage, p->nPageSize, pPage, zDecode, sizeof(zDecode));
    if (rcDecode == SMS_OK) return TRY_DONE;
    ahead_drop(p);                /* the page is tried again, on this handle */
    if (rcDecode == SMS_TOOBIG) { /* no accident of transit: the server ignores pageSize */
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX
               "the response to GET %s %s; the server does not honour pageSize: check "
               "base_url",
               zUrl, zDecode);
      return TRY_FAILED;
    }
    if (rcDecode == SMS_NOMEM) {
      snprintf(zErr, nErr, SMS_ERR_PREFIX "out of memory decoding GET %s", zUrl);
      *pRc = SMS_NOMEM;
      return TRY_FAILED;
    }
    snprintf(zWhy, nWhy, "bad page: %s", zDecode);
    return TRY_AGAIN; /* cut short or garbled in transit: worth another try */
  }
  api_details(p, zDetails, sizeof(zDetails));
  if (is_transient_status(iStatus)) {
    curl_off_t iAfter = 0;
    curl_easy_getinfo(p->pEasy, CURLINFO_RETRY_AFTER, &iAfter);
    if (iAfter > 0) { /* compared in seconds first: a hostile value must not overflow */
      *pmsWait = iAfter < RETRY_AFTER_CAP_MS / 1000 ? (long)iAfter * 1000 : RETRY_AFTER_CAP_MS;
    }
    snprintf(zWhy, nWhy, "HTTP %ld%s", iStatus, zDetails);
    return TRY_AGAIN;
  }
  if (iStatus == 401 || iStatus == 403) {
    snprintf(zErr, nErr,
             SMS_ERR_PREFIX
             "authentication failed for user '%s' (HTTP %ld%s): check the username "
             "and password given by %s",
             pCfg->zUser ? pCfg->zUser : "", iStatus, zDetails,
             pCfg->zCredSource ? pCfg->zCredSource : "no source");
  } else if (iStatus == 404 && zDetails[0] && ends_in_api(pCfg->zBaseUrl)) {
    snprintf(zErr, nErr,
             SMS_ERR_PREFIX
             "program %lld not found (HTTP 404%s): check the program id (the number "
             "at the end of the program's URL in the SMS Campaign Manager) and "
             "base_url (%s)",
             iProgram, zDetails, pCfg->zBaseUrl);
  } else if (iStatus == 404) {
    /* not the API's "no such program": a path the server does not have */
    if (zDetails[0]) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX "GET %s: no such path (HTTP 404%s): base_url (%s) does not end "
                              "in /api; write the API's address, like '" SMS_DEFAULT_BASE_URL
                              "'",
               zUrl, zDetails, pCfg->zBaseUrl);
    } else {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX
               "GET %s: no such path (HTTP 404), and the answer is not the API's: "
               "check that base_url (%s) is the API's address, which ends in "
               "/api, like '" SMS_DEFAULT_BASE_URL "'",
               zUrl, pCfg->zBaseUrl);
    }
  } else if (iStatus >= 300 && iStatus < 400) {
    char *zTo = 0;
    curl_easy_getinfo(p->pEasy, CURLINFO_REDIRECT_URL, &zTo);
    snprintf(zErr, nErr,
             SMS_ERR_PREFIX
             "HTTP %ld from GET %s: the API redirects to %s; set base_url to the "
             "address it names (redirects are not followed, so that credentials go "
             "nowhere else)",
             iStatus, zUrl, zTo ? zTo : "another address");
  } else if (iStatus == 400) {
    snprintf(zErr, nErr, SMS_ERR_PREFIX "the API rejected GET %s (HTTP 400%s)", zUrl, zDetails);
  } else {
    snprintf(zErr, nErr, SMS_ERR_PREFIX "HTTP %ld from GET %s%s", iStatus, zUrl, zDetails);
  }
  return TRY_FAILED;
}

/* A body buffer that grew for an oversized page goes back to the allocator once its page is
** decoded (the page holds its own copy), unless a request sent ahead is filling it. */
static void body_trim(SmsHttp *p) {
  if (p->nSpareAlloc > BODY_KEEP) {
    free(p->zSpare);
    p->zSpare = 0;
    p->nSpareAlloc = 0;
  }
  if (p->nAlloc > BODY_KEEP && !p->zAhead) {
    free(p->zBody);
    p->zBody = 0;
    p->nAlloc = 0;
    p->nBody = 0;
  }
}

static int fetch_page(SmsHttp *p, const char *zUrl, long long iProgram, SmsPage *pPage,
                      int (*xAhead)(void *, const char *), void *pAheadArg, char *zErr,
                      size_t nErr);

int sms_http_fetch_page(SmsHttp *p, const char *zUrl, long long iProgram, int nPageSize,
                        SmsPage *pPage, int (*xAhead)(void *, const char *), void *pAheadArg,
                        char *zErr, size_t nErr) {
  p->nPageSize = nPageSize;
  int rc = fetch_page(p, zUrl, iProgram, pPage, xAhead, pAheadArg, zErr, nErr);
  body_trim(p);
  return rc;
}

/* sms_http_fetch_page, its buffers left as they are. */
static int fetch_page(SmsHttp *p, const char *zUrl, long long iProgram, SmsPage *pPage,
                      int (*xAhead)(void *, const char *), void *pAheadArg, char *zErr,
                      size_t nErr) {
  char zWhy[700]; /* why the last try failed, for the final message */
  int nTry, rc = SMS_OK;
  int bSent = p->zAhead && strcmp(p->zAhead, zUrl) == 0; /* its first try is under way */
  sms_page_reset(pPage); /* its buffers, if any, are decoded into again */
  if (!bSent) {
    ahead_drop(p);
    curl_easy_setopt(p->pEasy, CURLOPT_URL, zUrl);
  }
  free(p->zAhead); /* collected: the handle keeps its own copy of the URL */
  p->zAhead = 0;
  p->xAhead = xAhead;
  p->pAheadArg = pAheadArg;

  for (nTry = 1;; nTry++, bSent = 0) {
    long iStatus = 0, msWait = 0;
    SmsLogRecord rec;
    double rStart;
    memset(&rec, 0, sizeof(rec));
    if (bSent) {
      rec.rTime = p->rAheadWall;
      rStart = p->rAheadStart;
    } else {
      if (sms_rate_acquire(p->pRate, p->pCfg->rRateLimit, p->xStop, p->pStopArg) != SMS_OK) {
        snprintf(zErr, nErr, SMS_ERR_PREFIX "interrupted");
        return SMS_INTERRUPT;
      }
      rec.rTime = sms_wall_clock();
      rStart = sms_monotonic();
      curl_easy_setopt(p->pEasy, CURLOPT_URL, zUrl);
    }
    int eTry = try_once(p, zUrl, iProgram, pPage, bSent, &iStatus, &msWait, &rc, zWhy,
                        sizeof(zWhy), zErr, nErr);
    if (p->pLog) {
      char zNote[400];
      rec.zNote = p->iDate && clock_note(p, zUrl, zNote, sizeof(zNote)) ? zNote : 0;
      rec.zUrl = (char *)zUrl;
      rec.iProgram = iProgram;
      rec.iStatus = (int)iStatus;
      rec.iAttempt = nTry;
      rec.nRow = eTry == TRY_DONE ? pPage->nRow : -1;
      rec.nByte = (long long)p->nPage;
      rec.rMs = (p->rTryEnd - rStart) * 1e3;
      rec.zError = eTry == TRY_AGAIN    ? zWhy
                   : eTry == TRY_FAILED ? zErr + strlen(SMS_ERR_PREFIX)
                                        : 0;
      sms_log_add(p->pLog, &rec);
    }
    if (eTry == TRY_DONE) return SMS_OK;
    if (eTry == TRY_FAILED) return rc;
    if (msWait == 0) {
      long msCap = BACKOFF_FIRST_MS << (nTry - 1 < 10 ? nTry - 1 : 10);
      if (msCap > BACKOFF_CAP_MS) msCap = BACKOFF_CAP_MS;
      msWait = msCap / 2 + rand_r(&p->iSeed) % (msCap / 2 + 1); /* jitter: spread clients */
    }
    /* The origin is too busy for this process, not only for this stream: the others
    ** would otherwise hit it during the wait (and get 429s too), even on the last try. */
    if (iStatus == 429) sms_rate_pause(p->pRate, msWait);
    if (nTry > p->pCfg->nRetries) break;
    if (wait_ms(p, msWait) != SMS_OK) {
      snprintf(zErr, nErr, SMS_ERR_PREFIX "interrupted");
      return SMS_INTERRUPT;
    }
  }
  snprintf(zErr, nErr, SMS_ERR_PREFIX "GET %s failed after %d tr%s: %s%s", zUrl, nTry,
           nTry == 1 ? "y" : "ies", zWhy, advice_transient(p, zWhy));
  return SMS_ERROR;
}
