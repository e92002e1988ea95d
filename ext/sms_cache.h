/*
** sms_cache.h: the window cache, messages already fetched, by the stretch of time they cover.
**
** Boundary: pure C and pthreads, no SQLite and no network. The scan asks it which parts of
** a window it can answer (a plan), reads rows of a part back as pages, and offers every
** chain of pages it fetched in full; sms_cache_table.c lists and forgets its entries.
**
** What an entry is: the rows of one request chain that completed (its last page had no
** nextPageUrl), for one origin and set of credentials (the key), one program and one
** message type (or both), covering the seconds [iLo, iHi): every message the API holds
** dated in that span was in the chain. The span is what the request asked for, less its
** startDate itself (whether the API's bounds are inclusive is unknown), and ends at the time
** of the request at the latest. Its last SMS_CACHE_LATE seconds before that time (its tail,
** from iFirm on) answer only for SMS_CACHE_TAIL_TTL seconds: the API records messages a
** little after their date, so a later re-read of an open-ended window asks again for the last
** minutes (one small request), while the rescans of one statement ask for nothing. A chain
** that stopped early, failed, or held a message without a readable date never becomes an
** entry, so a plan never passes a partial answer for a whole one.
**
** Entries are immutable once made and reference-counted: a scan that planned with one keeps
** reading it even if it is forgotten or evicted meanwhile. Where entries overlap, the newest
** answers. An entry covers queries of its own type; one of both types covers MO and MT.
** The process has one shared cache (sms_cache_shared); a cursor with cache_ttl=0 gets one of
** its own that lives as long as the cursor, so that an inner loop's rescans send nothing.
*/
#ifndef SMS_CACHE_H
#define SMS_CACHE_H

#include "sms_page.h"
#include "sms_window.h"

#include <stddef.h>

/* Seconds before the time of a request without endDate that its entry does not cover. */
#define SMS_CACHE_LATE 300
/* Seconds the tail of an entry (its last SMS_CACHE_LATE seconds) may answer. */
#define SMS_CACHE_TAIL_TTL 3.0

typedef struct SmsCache SmsCache;
typedef struct SmsCacheEntry SmsCacheEntry;
typedef struct SmsCacheFill SmsCacheFill;

/* Message types of an entry or a query. */
#define SMS_CACHE_BOTH 0
#define SMS_CACHE_MO 1
#define SMS_CACHE_MT 2

/* Whose rows: an entry is used only for the same zKey (origin and credentials, compared
** whole, never shown), program and a type it covers. */
typedef struct SmsCacheKey {
  const char *zKey;     /* base_url, user and password, as one string */
  const char *zBaseUrl; /* base_url alone: what sms_cache shows */
  long long iProgram;   /* the program */
  int eType;            /* SMS_CACHE_BOTH, _MO or _MT */
} SmsCacheKey;

/* A cache of its own, holding at most nMax bytes. SMS_OK or SMS_NOMEM. */
int sms_cache_new(SmsCache **pp, size_t nMax);
void sms_cache_free(SmsCache *p);

/* The process's cache, shared by every connection; NULL when out of memory. */
SmsCache *sms_cache_shared(void);

/* Hold at most nMax bytes from now on (cache_mb: the process has one limit, the last set). */
void sms_cache_set_max(SmsCache *p, size_t nMax);

/* One part of a plan: the rows dated in [iLo, iHi), from pEntry, or from the API when pEntry
** is NULL (a gap). */
typedef struct SmsCachePart {
  sms_time iLo;          /* first second of the part */
  sms_time iHi;          /* first second after it */
  SmsCacheEntry *pEntry; /* holds the rows (a reference: release it); NULL: fetch them */
} SmsCachePart;

/* Cut [iLo, iHi) into parts, in time order: the stretches that entries of the key younger
** than rTtl seconds cover (their tails only while younger than rTailTtl), each from the
** newest such entry, and the gaps between. Returns
** the number of parts written to aPart (at most nPart; the last part then runs to iHi), or
** -1 when out of memory. */
int sms_cache_plan(SmsCache *p, const SmsCacheKey *pKey, sms_time iLo, sms_time iHi,
                   double rTtl, double rTailTtl, SmsCachePart *aPart, int nPart);

/* Take or drop a reference to an entry. */
void sms_cache_retain(SmsCacheEntry *pEntry);
void sms_cache_release(SmsCacheEntry *pEntry);

/* The next rows of pEntry dated in [iLo, iHi) into *pPage (cleared first; a copy that owns
** its bytes), at most nMax of them, starting at the cursor *piPos (0 at first). A page with
** no rows means there are no more. SMS_OK or SMS_NOMEM. */
int sms_cache_read(SmsCacheEntry *pEntry, sms_time iLo, sms_time iHi, int *piPos, int nMax,
                   SmsPage *pPage);

/* How many rows of pEntry are dated in [iLo, iHi). */
int sms_cache_count(SmsCacheEntry *pEntry, sms_time iLo, sms_time iHi);

/* Collecting the pages of one chain into an entry. begin returns NULL when out of memory (the
** chain is then not cached). add copies the rows of a page as the API sent it (before any
** row was dropped); once they would not fit in the cache, or one has no readable date, the
** fill gives up quietly and end makes nothing. end(bComplete) makes the entry: covering
** [iLo, iHi), its tail from iFirm, fetched rFetched (sms_monotonic) - or, when
** !bComplete, throws it away. */
SmsCacheFill *sms_cache_fill_begin(SmsCache *p, const SmsCacheKey *pKey);
int sms_cache_fill_add(SmsCacheFill *pFill, const SmsPage *pPage);
/* The chain's first page is 1/rShare of what the whole chain will bring, as far as the
** caller can tell: when that would not fit in the cache, give up at once, so that a window
** bigger than the cache streams with the memory it takes uncached. */
void sms_cache_fill_expect(SmsCacheFill *pFill, double rShare);
void sms_cache_fill_end(SmsCacheFill *pFill, int bComplete, sms_time iLo, sms_time iHi,
                        sms_time iFirm, double rFetched);

/* What sms_cache shows of an entry. */
typedef struct SmsCacheInfo {
  long long iId;      /* the entry's number, its rowid */
  char *zBaseUrl;     /* where its rows came from (malloc'd) */
  long long iProgram; /* the program */
  int eType;          /* SMS_CACHE_BOTH, _MO or _MT */
  sms_time iLo;       /* first second covered */
  sms_time iHi;       /* first second after */
  int nRow;           /* rows held */
  size_t nByte;       /* bytes held */
  double rAge;        /* seconds since it was fetched */
  long long nHit;     /* scans it answered (part of) */
} SmsCacheInfo;

/* A snapshot of the entries, most recently used first (free with sms_cache_info_free).
** Returns their number, -1 when out of memory. */
int sms_cache_list(SmsCache *p, SmsCacheInfo **paInfo);
void sms_cache_info_free(SmsCacheInfo *aInfo, int nInfo);

/* Forget the entry numbered iId (scans reading it finish undisturbed). */
void sms_cache_forget(SmsCache *p, long long iId);

/* Repeated misses of one program: a correlated subquery or a nested loop on `date` asks for
** one window after another. A connection remembers its last misses, and a scan that misses
** again soon after widens what it fetches, by a span that doubles with every miss of the
** run, so that such a query costs a few requests instead of one per outer row. Used by one
** thread at a time (a connection's). */
#define SMS_MISS_SLOTS 8
typedef struct SmsMissLog {
  long long aProgram[SMS_MISS_SLOTS]; /* the program of each slot; 0: free */
  int aType[SMS_MISS_SLOTS];          /* its message type */
  double aLast[SMS_MISS_SLOTS];       /* when it last missed (sms_monotonic) */
  int aRun[SMS_MISS_SLOTS];           /* misses in a row, each soon after the one before */
} SmsMissLog;

/* Record a miss of (iProgram, eType) now; returns the seconds to widen it by on each side
** (0 for the first miss of a run). */
sms_time sms_miss_widen(SmsMissLog *p, long long iProgram, int eType);

#endif /* SMS_CACHE_H */
