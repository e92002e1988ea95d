/*
** sms_rate.c: the pace of requests to one origin, for the whole process. See sms_rate.h.
**
** One SmsRate per origin, in a list guarded by one mutex, searched only when an HTTP client
** opens. The first RATE_POOL of them live in static memory: a host that unloads the
** extension (the sqlite3 shell does, at exit) must not lose heap blocks only a static
** pointer knew, and freeing them at unload could pull them from under a thread still
** running at exit. Times are CLOCK_MONOTONIC nanoseconds: a wall clock set back must not stall
*every
** request. A waiting request polls: it sleeps until the earliest time it could begin (at
** most 50 ms, to notice xStop), then checks and claims its turn under the lock. Claiming
** at the moment of starting, rather than reserving a future slot, means a 429 that arrives
** while a request waits holds it back too.
*/
#include "sms_rate.h"

#include "sms_config.h"
#include "sms_http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLICE_NS 50000000LL /* the longest sleep between two polls of xStop */
#define RATE_POOL 64        /* origins kept in static memory; more come from the heap */

struct SmsRate {
  char zOrigin[300];     /* "scheme://host:port", the key */
  pthread_mutex_t mutex; /* guards iLastNs, and every write of iPauseNs */
  long long iLastNs;     /* when the last limited request began; 0: none yet */
  long long iPauseNs;    /* no request begins before this (a 429's pause); atomic reads */
  SmsRate *pNext;        /* the next origin in the list */
};

static pthread_mutex_t listMutex = PTHREAD_MUTEX_INITIALIZER; /* guards pList */
static SmsRate *pList = 0;       /* every origin used by the process, never freed */
static SmsRate aPool[RATE_POOL]; /* the first RATE_POOL entries of pList */
static int nPool = 0;            /* entries of aPool in use */

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

SmsRate *sms_rate_find(const char *zUrl) {
  char zScheme[8], zHost[256], zOrigin[300];
  int iPort;
  SmsRate *p;
  if (sms_url_origin(zUrl, zScheme, zHost, &iPort)) return 0;
  snprintf(zOrigin, sizeof(zOrigin), "%s://%s:%d", zScheme, zHost, iPort);
  pthread_mutex_lock(&listMutex);
  for (p = pList; p && strcmp(p->zOrigin, zOrigin) != 0; p = p->pNext) {
  }
  if (!p) p = nPool < RATE_POOL ? &aPool[nPool++] : calloc(1, sizeof(*p));
  if (p && !p->zOrigin[0]) { /* a new one */
    memcpy(p->zOrigin, zOrigin, sizeof(zOrigin));
    pthread_mutex_init(&p->mutex, 0);
    p->pNext = pList;
    pList = p;
  }
  pthread_mutex_unlock(&listMutex);
  return p;
}

/* Sleep until iUntilNs, or SLICE_NS, whichever is sooner. */
static void nap(long long iUntilNs, long long iNowNs) {
  long long ns = iUntilNs - iNowNs;
  if (ns > SLICE_NS) ns = SLICE_NS;
  if (ns <= 0) return;
  struct timespec ts = {(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};
  nanosleep(&ts, 0);
}

int sms_rate_acquire(SmsRate *p, double rRate, int (*xStop)(void *), void *pStopArg) {
  long long iGapNs = rRate > 0 ? (long long)(1e9 / rRate) : 0;
  for (;;) {
    long long iNow, iFrom;
    if (iGapNs == 0) { /* no limit: no lock, and no clock until a 429 has been seen */
      iFrom = __atomic_load_n(&p->iPauseNs, __ATOMIC_ACQUIRE);
      if (iFrom == 0 || (iNow = now_ns()) >= iFrom) return SMS_OK;
    } else {
      pthread_mutex_lock(&p->mutex);
      iNow = now_ns();
      iFrom = p->iLastNs ? p->iLastNs + iGapNs : 0;
      if (iFrom < p->iPauseNs) iFrom = p->iPauseNs;
      if (iNow >= iFrom) p->iLastNs = iNow; /* this request's turn, claimed */
      pthread_mutex_unlock(&p->mutex);
      if (iNow >= iFrom) return SMS_OK;
    }
    if (xStop && xStop(pStopArg)) return SMS_INTERRUPT;
    nap(iFrom, iNow);
  }
}

void sms_rate_pause(SmsRate *p, long ms) {
  long long iUntil = now_ns() + (long long)ms * 1000000LL;
  pthread_mutex_lock(&p->mutex);
  if (iUntil > p->iPauseNs) __atomic_store_n(&p->iPauseNs, iUntil, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&p->mutex);
}
