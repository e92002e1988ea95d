/*
** sms_clock.c: what each server's clock says. See sms_clock.h.
**
** An offset is the server's Date minus the client's clock at the moment the answer
** arrived. The Date has one-second resolution and was written a network delay before it
** arrived, so an offset may be a second or two short; SMS_RETENTION_MARGIN covers that.
** The last answer wins: a drifting clock is followed, and a fresh process learns from its
** first answer. Origins are few (one per API a process reads), so a small table searched
** in order is enough; when it is full the oldest entry gives way.
*/
#include "sms_clock.h"

#include "sms_config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_ORIGIN 16 /* origins remembered at once */

typedef struct ClockEntry {
  char zOrigin[300]; /* "scheme://host:port", as sms_url_origin reads it */
  sms_time iOffset;  /* server's Date - client's clock, in seconds */
  unsigned iUsed;    /* when it was last learned (a counter), for replacement */
} ClockEntry;

static pthread_mutex_t clockMutex = PTHREAD_MUTEX_INITIALIZER;
static ClockEntry aClock[N_ORIGIN]; /* entries with zOrigin[0] != 0 are in use */
static unsigned iClockTick;         /* counter behind iUsed */

/* zUrl's origin as one string; 0 when it has none (not an http(s) URL). */
static int origin_key(const char *zUrl, char *zKey, size_t nKey) {
  char zScheme[8], zHost[256];
  int iPort;
  if (!zUrl || sms_url_origin(zUrl, zScheme, zHost, &iPort)) return 0;
  snprintf(zKey, nKey, "%s://%s:%d", zScheme, zHost, iPort);
  return 1;
}

/* The entry of zKey, or NULL. The caller holds clockMutex. */
static ClockEntry *find_entry(const char *zKey) {
  for (int i = 0; i < N_ORIGIN; i++) {
    if (aClock[i].zOrigin[0] && strcmp(aClock[i].zOrigin, zKey) == 0) return &aClock[i];
  }
  return 0;
}

void sms_clock_learn(const char *zUrl, sms_time iDate) {
  char zKey[sizeof(aClock[0].zOrigin)];
  sms_time iOffset = iDate - sms_time_now();
  const char *zFixed = getenv("SMS_EXPORT_NOW");
  sms_time iMax = zFixed && *zFixed ? SMS_CLOCK_FIXED_SKEW : SMS_CLOCK_MAX_SKEW;
  if (iOffset > iMax || iOffset < -iMax) return;
  if (!origin_key(zUrl, zKey, sizeof(zKey))) return;
  pthread_mutex_lock(&clockMutex);
  ClockEntry *p = find_entry(zKey);
  if (!p) { /* a free entry, or the one learned longest ago */
    p = &aClock[0];
    for (int i = 0; i < N_ORIGIN && p->zOrigin[0]; i++) {
      if (!aClock[i].zOrigin[0] || aClock[i].iUsed < p->iUsed) p = &aClock[i];
    }
    memcpy(p->zOrigin, zKey, sizeof(zKey));
  }
  p->iOffset = iOffset;
  p->iUsed = ++iClockTick;
  pthread_mutex_unlock(&clockMutex);
}

sms_time sms_clock_now(const char *zUrl) {
  char zKey[sizeof(aClock[0].zOrigin)];
  sms_time iOffset = 0;
  if (origin_key(zUrl, zKey, sizeof(zKey))) {
    pthread_mutex_lock(&clockMutex);
    ClockEntry *p = find_entry(zKey);
    if (p) iOffset = p->iOffset;
    pthread_mutex_unlock(&clockMutex);
  }
  return sms_time_now() + iOffset;
}

int sms_clock_known(const char *zUrl) {
  char zKey[sizeof(aClock[0].zOrigin)];
  int bKnown = 0;
  if (origin_key(zUrl, zKey, sizeof(zKey))) {
    pthread_mutex_lock(&clockMutex);
    bKnown = find_entry(zKey) != 0;
    pthread_mutex_unlock(&clockMutex);
  }
  return bKnown;
}

int sms_clock_far(const char *zUrl, sms_time *piOffset, char *zOrigin, size_t nOrigin) {
  const char *zFixed = getenv("SMS_EXPORT_NOW");
  int bFar = 0;
  if ((zFixed && *zFixed) || !origin_key(zUrl, zOrigin, nOrigin)) return 0;
  pthread_mutex_lock(&clockMutex);
  ClockEntry *p = find_entry(zOrigin);
  if (p && (p->iOffset > SMS_CLOCK_SAY || p->iOffset < -SMS_CLOCK_SAY)) {
    *piOffset = p->iOffset;
    bFar = 1;
  }
  pthread_mutex_unlock(&clockMutex);
  return bFar;
}

void sms_clock_describe(const char *zOrigin, sms_time iOffset, sms_time iDate, char *zOut,
                        size_t nOut) {
  sms_time a = iOffset < 0 ? -iOffset : iOffset;
  char zSpan[40], zDate[20];
  /* rounded to the unit a person would use: the offset is a second or two short anyway */
  if (a >= 2 * SMS_DAY) {
    snprintf(zSpan, sizeof(zSpan), "%lld days", (a + SMS_DAY / 2) / SMS_DAY);
  } else if (a >= 2 * 3600) {
    snprintf(zSpan, sizeof(zSpan), "%lld hours", (a + 1800) / 3600);
  } else {
    snprintf(zSpan, sizeof(zSpan), "%lld minutes", (a + 30) / 60);
  }
  sms_time_format(iDate, ' ', zDate);
  snprintf(zOut, nOut,
           "the clock of %s is %s %s this machine's (it said %s UTC): the API counts its "
           "year on its own clock, so the scan's window follows it",
           zOrigin, zSpan, iOffset < 0 ? "behind" : "ahead of", zDate);
}

sms_time sms_retention_edge(const char *zUrl) {
  return sms_retention_oldest(sms_clock_now(zUrl));
}

void sms_clock_reset(void) {
  pthread_mutex_lock(&clockMutex);
  memset(aClock, 0, sizeof(aClock));
  iClockTick = 0;
  pthread_mutex_unlock(&clockMutex);
}

double sms_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

double sms_wall_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
