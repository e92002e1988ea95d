/*
** fuzz_cache.c: libFuzzer target for the window cache's interval bookkeeping
** (ext/sms_cache.c), checked against a brute-force model of which seconds each fill holds.
**
** The input is a program of operations on one fresh cache, each an opcode byte (mod 8) and
** its argument bytes (missing bytes read as 0):
**   BEGIN slot,key              sms_cache_fill_begin (up to 4 fills open at once)
**   ADD slot+n, n date bytes    sms_cache_fill_add of a page of n synthetic rows, dated in a
**                               64-second stretch and a little around it (255: no date)
**   END slot+complete, lo, len, firm, age
**                               sms_cache_fill_end, fetched `age` whole seconds ago
**   PLAN key, lo, len, ttl+tail, nPart, hold
**                               sms_cache_plan, then sms_cache_read of every cached part in
**                               chunks; a part may be kept (sms_cache_retain) for later
**   FORGET index                sms_cache_forget of a listed entry (or of no entry)
**   SET_MAX size                sms_cache_set_max
**   READ_HELD / RELEASE_HELD    read a kept part again / release it
** Keys are two origins x two programs x three message types. Every row carries the number
** of its fill, and every fill a sentinel row dated far before the stretch, so that an entry
** handed out by a plan is known by its rows.
**
** Checked after every operation, against the model (every fill's rows, kept forever):
**   - the list (sms_cache_list) only loses entries, except that END of a complete fill with
**     every row dated adds at most its own; it changes exactly as the operation says: PLAN
**     drops what is older than the longest TTL asked and moves the entries it used to the
**     front (LRU), FORGET drops the one entry, SET_MAX and END evict from the least recently
**     used end only as much as the limit needs, END drops the older entries of the key the
**     new one hides wholly; and the listed bytes never exceed the limit;
**   - each listed entry says what its fill was: program, type, [lo, hi), rows;
**   - a plan's parts tile the asked window in time order; a cached part's entry is a listed
**     one of the key, of a type that covers the query's, younger than the TTL, covering the
**     part (its tail only while younger than the tail TTL), and for every second it is the
**     newest such entry (when the plan had room for every part); a gap is left only where no
**     entry answers (idem);
**   - reading a part, in chunks of any size, gives exactly the rows of its fill dated in the
**     part, by date (rows of one second in the order they came), however the entry was
**     forgotten or evicted meanwhile (a kept reference).
** Nothing incomplete is served: a fill ended incomplete, or with an undated row, never shows
** in the list or a plan. Ages are whole seconds and TTLs end at half seconds, so the real
** clock (sms_monotonic) cannot move a case across a boundary while an input runs.
** Any violation prints the operation and abort()s.
*/
#include "sms_cache.h"
#include "sms_clock.h"
#include "sms_page.h"
#include "sms_window.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1782000000LL /* 2026-06-21 00:00:00: the stretch starts here */
#define SENTINEL_T (T0 - 1000)
#define MAX_FILL 48      /* fills of one input; later BEGINs are ignored */
#define MAX_FILL_ROW 200 /* rows of one fill, its sentinel included */
#define MAX_OPEN 4
#define MAX_HELD 6
#define MAX_PARTS 64

typedef struct ModelRow {
  sms_time t;     /* its date (undated rows: no date) */
  char zText[96]; /* the message object as sent */
  int nText;      /* its bytes */
} ModelRow;

typedef struct Fill {
  int iKey;                    /* origin, program and type: see key_of */
  ModelRow aRow[MAX_FILL_ROW]; /* every row added, in order; [0] is the sentinel */
  int nRow;                    /* rows in aRow */
  int bUndated;                /* a row had no date: it must never be an entry */
  int bTooMany;                /* more rows than the model keeps: the fill is abandoned */
  int bEnded;                  /* END was called */
  int bMakeable;               /* complete, dated, lo < hi: it may become an entry */
  sms_time iLo, iHi, iFirm;    /* what END said */
  int iAge;                    /* whole seconds since it was fetched */
  int iEndSeq;                 /* the order of the END calls: ties of age */
  long long iId;               /* its entry's number once listed; 0 before */
  SmsCacheFill *pFill;         /* while open */
} Fill;

typedef struct Listed {
  long long iId; /* entry number */
  int iFill;     /* its fill */
  size_t nByte;  /* bytes it holds */
} Listed;

typedef struct Held {
  SmsCacheEntry *pEntry; /* a kept reference */
  int iFill;             /* its fill */
  sms_time iLo, iHi;     /* the part */
} Held;

static Fill aFill[MAX_FILL];
static int nFill;
static int aiOpen[MAX_OPEN]; /* fill number + 1 of each slot; 0: free */
static Listed aList[256];
static int nList;
static Held aHeld[MAX_HELD];
static int nHeld;
static double rMaxTtl; /* the longest TTL asked so far: older entries are dropped */
static size_t nMax;    /* the cache's limit */
static int nEndSeq;
static int iOp; /* the operation being run, for the messages */
static const char *const azKey[] = {"origin-a", "origin-b"};
static int bTrace; /* FUZZ_CACHE_TRACE set: every operation is printed, for a reproducer */

#define TRACE(...)                                                                             \
  do {                                                                                         \
    if (bTrace) fprintf(stderr, __VA_ARGS__);                                                  \
  } while (0)

#define CHECK(x)                                                                               \
  do {                                                                                         \
    if (!(x)) {                                                                                \
      fprintf(stderr, "fuzz_cache: check failed at operation %d: %s (line %d)\n", iOp, #x,     \
              __LINE__);                                                                       \
      abort();                                                                                 \
    }                                                                                          \
  } while (0)

/* A key number (0..11) as the cache's key. */
static SmsCacheKey key_of(int iKey) {
  SmsCacheKey k;
  k.zKey = azKey[iKey % 2];
  k.zBaseUrl = "http://127.0.0.1/api";
  k.iProgram = 1 + (iKey / 2) % 2;
  k.eType = iKey / 4;
  return k;
}

typedef struct Reader {
  const uint8_t *p; /* the next byte */
  size_t n;         /* bytes left */
} Reader;

static int next_byte(Reader *r) {
  if (r->n == 0) return 0;
  r->n--;
  return *r->p++;
}

/* ---------------------------------------------------------------- observing the list */

static int fill_of_id(long long iId) {
  for (int i = 0; i < nFill; i++)
    if (aFill[i].iId == iId) return i;
  return -1;
}

/* The cache's list now, into a (the number; -1 for an entry of no fill yet). */
static int observe(SmsCache *pCache, Listed *a, SmsCacheInfo **paInfo) {
  SmsCacheInfo *aInfo;
  int n = sms_cache_list(pCache, &aInfo);
  CHECK(n >= 0 && n <= 256);
  for (int i = 0; i < n; i++) {
    a[i].iId = aInfo[i].iId;
    a[i].iFill = fill_of_id(aInfo[i].iId);
    a[i].nByte = aInfo[i].nByte;
  }
  *paInfo = aInfo;
  return n;
}

static int same_list(const Listed *a, int n, const Listed *b, int m) {
  if (n != m) return 0;
  for (int i = 0; i < n; i++)
    if (a[i].iId != b[i].iId) return 0;
  return 1;
}

/* Keep the longest prefix of a whose bytes fit in nMax (what eviction leaves). */
static int fit_prefix(const Listed *a, int n) {
  size_t nSum = 0;
  for (int i = 0; i < n; i++) {
    if (nSum + a[i].nByte > nMax) return i;
    nSum += a[i].nByte;
  }
  return n;
}

static int is_expired(int iFill) {
  return aFill[iFill].iAge >= rMaxTtl;
}

/* The listed entry is what its fill said. */
static void check_info(const SmsCacheInfo *pInfo, const Fill *f) {
  SmsCacheKey k = key_of(f->iKey);
  CHECK(pInfo->iProgram == k.iProgram && pInfo->eType == k.eType);
  CHECK(pInfo->iLo == f->iLo && pInfo->iHi == f->iHi);
  CHECK(pInfo->nRow == f->nRow);
  CHECK(strcmp(pInfo->zBaseUrl, k.zBaseUrl) == 0);
}

/* After an operation: the list must be aWant (nWant), and every entry must be one the model
** knows. */
static void expect_list(SmsCache *pCache, const Listed *aWant, int nWant) {
  Listed aNow[256];
  SmsCacheInfo *aInfo;
  int n = observe(pCache, aNow, &aInfo);
  size_t nSum = 0;
  CHECK(same_list(aNow, n, aWant, nWant));
  for (int i = 0; i < n; i++) {
    CHECK(aNow[i].iFill >= 0);
    check_info(&aInfo[i], &aFill[aNow[i].iFill]);
    nSum += aNow[i].nByte;
  }
  CHECK(nSum <= nMax);
  sms_cache_info_free(aInfo, n);
  memcpy(aList, aNow, n * sizeof(Listed));
  nList = n;
}

/* ---------------------------------------------------------------- rows */

/* The fill an entry holds the rows of: the number in its sentinel row. */
static int fill_of_entry(SmsCacheEntry *pEntry) {
  SmsPage page;
  int iPos = 0, iFill = -1;
  memset(&page, 0, sizeof(page));
  CHECK(sms_cache_read(pEntry, SENTINEL_T, SENTINEL_T + 1, &iPos, 10, &page) == 0);
  CHECK(page.nRow == 1);
  SmsValue v;
  sms_page_row_field(&page, 0, SMS_F_BODY, &v);
  CHECK(v.eType == SMS_TEXT && v.n > 1 && v.z[0] == 'f');
  iFill = atoi(v.z + 1);
  CHECK(iFill >= 0 && iFill < nFill);
  sms_page_clear(&page);
  return iFill;
}

static const Fill *pSortFill;
static int by_date(const void *pA, const void *pB) {
  int a = *(const int *)pA, b = *(const int *)pB;
  sms_time ta = pSortFill->aRow[a].t, tb = pSortFill->aRow[b].t;
  if (ta != tb) return ta < tb ? -1 : 1;
  return a - b; /* rows of one second in the order they came */
}

/* Read [iLo, iHi) of pEntry in chunks of nChunk rows: exactly the fill's rows in it. */
static void check_rows(SmsCacheEntry *pEntry, int iFill, sms_time iLo, sms_time iHi,
                       int nChunk) {
  const Fill *f = &aFill[iFill];
  int aiWant[MAX_FILL_ROW], nWant = 0, nGot = 0, iPos = 0;
  for (int i = 0; i < f->nRow; i++)
    if (f->aRow[i].t >= iLo && f->aRow[i].t < iHi) aiWant[nWant++] = i;
  pSortFill = f;
  qsort(aiWant, nWant, sizeof(int), by_date);
  for (;;) {
    SmsPage page;
    memset(&page, 0, sizeof(page));
    CHECK(sms_cache_read(pEntry, iLo, iHi, &iPos, nChunk, &page) == 0);
    CHECK(page.nRow >= 0 && page.nRow <= nChunk);
    if (page.nRow == 0) {
      sms_page_clear(&page);
      break;
    }
    for (int i = 0; i < page.nRow; i++, nGot++) {
      CHECK(nGot < nWant);
      const ModelRow *m = &f->aRow[aiWant[nGot]];
      CHECK(page.aRow[i].nObj == (unsigned)m->nText);
      CHECK(memcmp(page.aRow[i].zObj, m->zText, m->nText) == 0);
    }
    sms_page_clear(&page);
  }
  CHECK(nGot == nWant);
  CHECK(iPos == nWant);
}

/* ---------------------------------------------------------------- operations */

static void op_begin(SmsCache *pCache, Reader *r) {
  int b = next_byte(r), iSlot = b & 3;
  if (aiOpen[iSlot] || nFill == MAX_FILL) return;
  Fill *f = &aFill[nFill];
  memset(f, 0, sizeof(*f));
  f->iKey = (b >> 2) % 12;
  SmsCacheKey k = key_of(f->iKey);
  f->pFill = sms_cache_fill_begin(pCache, &k);
  CHECK(f->pFill != 0);
  TRACE("%d: fill %d = begin(key %s, program %lld, type %d)\n", iOp, nFill, k.zKey, k.iProgram,
        k.eType);
  aiOpen[iSlot] = ++nFill;
}

/* One page of rows into the fill at slot (the sentinel first, on its first page). */
static void add_rows(Fill *f, int iFill, const int *aiDate, int n) {
  char zBody[MAX_FILL_ROW * 100 + 64];
  int nBody = 0;
  nBody += snprintf(zBody + nBody, sizeof(zBody) - nBody,
                    "{\"meta\":{\"nextPageUrl\":null},"
                    "\"data\":[");
  for (int i = 0; i < n; i++) {
    ModelRow *m = &f->aRow[f->nRow++];
    char zDate[20];
    if (aiDate[i] < 0) {
      f->bUndated = 1;
      m->t = SMS_TIME_MIN - 1; /* in no window */
      m->nText = snprintf(m->zText, sizeof(m->zText),
                          "{\"body\":\"f%d\",\"number\":%d,\"date\":\"soon\"}", iFill, f->nRow);
    } else {
      m->t = aiDate[i] == 9999 ? SENTINEL_T : T0 + aiDate[i] - 8;
      sms_time_format(m->t, (f->nRow & 1) ? 'T' : ' ', zDate);
      m->nText = snprintf(m->zText, sizeof(m->zText),
                          "{\"body\":\"f%d\",\"number\":%d,\"date\":\"%s\",\"type\":\"MO\"}",
                          iFill, f->nRow, zDate);
    }
    nBody += snprintf(zBody + nBody, sizeof(zBody) - nBody, "%s%s", i ? "," : "", m->zText);
  }
  nBody += snprintf(zBody + nBody, sizeof(zBody) - nBody, "]}");
  SmsPage page;
  char zErr[256];
  memset(&page, 0, sizeof(page));
  CHECK(sms_page_decode(zBody, (size_t)nBody, &page, zErr, sizeof(zErr)) == 0);
  CHECK(page.nRow == n);
  CHECK(sms_cache_fill_add(f->pFill, &page) == 0);
  TRACE("%d: fill %d: add %d rows:", iOp, iFill, n);
  for (int i = 0; i < n; i++)
    TRACE(" %lld", (long long)(f->aRow[f->nRow - n + i].t - T0));
  TRACE(" (T0+s)\n");
  sms_page_clear(&page);
}

static void op_add(Reader *r) {
  int b = next_byte(r), iSlot = b & 3, n = (b >> 2) & 7, aiDate[9], nDate = 0;
  if (!aiOpen[iSlot]) return;
  int iFill = aiOpen[iSlot] - 1;
  Fill *f = &aFill[iFill];
  if (f->nRow == 0) aiDate[nDate++] = 9999; /* the sentinel */
  for (int i = 0; i < n; i++) {
    int d = next_byte(r);
    aiDate[nDate++] = d == 255 ? -1 : d % 80; /* T0-8 .. T0+71 */
  }
  if (f->nRow + nDate > MAX_FILL_ROW) {
    f->bTooMany = 1;
    return;
  }
  add_rows(f, iFill, aiDate, nDate);
}

static void op_end(SmsCache *pCache, Reader *r) {
  int b = next_byte(r), iSlot = b & 3, bComplete = ((b >> 2) & 3) != 0;
  int bLo = next_byte(r), bLen = next_byte(r), bFirm = next_byte(r), bAge = next_byte(r);
  if (!aiOpen[iSlot]) return;
  int iFill = aiOpen[iSlot] - 1;
  Fill *f = &aFill[iFill];
  aiOpen[iSlot] = 0;
  if (f->nRow == 0) { /* every fill has its sentinel */
    int iSentinel = 9999;
    add_rows(f, iFill, &iSentinel, 1);
  }
  f->iLo = T0 + bLo % 72 - 4;
  f->iHi = f->iLo + bLen % 72 - 6;
  f->iFirm = (bFirm & 1) ? f->iHi : f->iHi - (bFirm >> 1) % 80;
  f->iAge = bAge % 16;
  f->iEndSeq = ++nEndSeq;
  f->bEnded = 1;
  f->bMakeable = bComplete && !f->bUndated && !f->bTooMany && f->iLo < f->iHi;
  if (f->bTooMany) bComplete = 0; /* the model lacks rows: never let it be made */
  sms_cache_fill_end(f->pFill, bComplete, f->iLo, f->iHi, f->iFirm,
                     sms_monotonic() - f->iAge);
  TRACE("%d: fill %d: end(complete %d, [T0%+lld, T0%+lld), firm T0%+lld, age %d)\n", iOp, iFill,
        bComplete, f->iLo - T0, f->iHi - T0, f->iFirm - T0, f->iAge);
  f->pFill = 0;

  /* What the list may be now. */
  Listed aPrev[256], aHidden[256], aCand[257], aNow[256];
  int nPrev = nList, nHidden = 0, nCand = 0;
  memcpy(aPrev, aList, nList * sizeof(Listed));
  SmsCacheKey kNew = key_of(f->iKey);
  for (int i = 0; i < nPrev; i++) {
    const Fill *o = &aFill[aPrev[i].iFill];
    SmsCacheKey kOld = key_of(o->iKey);
    int bHidden = kOld.iProgram == kNew.iProgram && kOld.zKey == kNew.zKey &&
                  (kNew.eType == SMS_CACHE_BOTH || kNew.eType == kOld.eType) &&
                  o->iLo >= f->iLo && o->iHi <= f->iFirm && o->iAge >= f->iAge;
    if (!bHidden) aHidden[nHidden++] = aPrev[i];
  }
  SmsCacheInfo *aInfo;
  int n = observe(pCache, aNow, &aInfo);
  int iNew = -1;
  for (int i = 0; i < n; i++) {
    if (aNow[i].iFill >= 0) continue;
    CHECK(iNew < 0 && f->bMakeable); /* only a makeable fill adds, and only itself */
    iNew = i;
    f->iId = aNow[i].iId;
    aNow[i].iFill = iFill;
  }
  if (iNew >= 0) {
    CHECK(iNew == 0); /* the newest entry is the most recently used */
    check_info(&aInfo[0], f);
    CHECK(!is_expired(iFill));
    aCand[nCand++] = aNow[0];
    memcpy(aCand + nCand, aHidden, nHidden * sizeof(Listed));
    nCand += nHidden;
    CHECK(same_list(aNow, n, aCand, fit_prefix(aCand, nCand)));
  } else if (f->bMakeable && is_expired(iFill)) {
    /* given up while adding, or made (maybe evicting others) and then dropped by the list as
    ** too old */
    CHECK(same_list(aNow, n, aPrev, nPrev) || (n <= nHidden && same_list(aNow, n, aHidden, n)));
  } else if (f->bMakeable) {
    /* given up while adding (too big: nothing changed), or too big at the end (the entries it
    ** hides are dropped all the same) */
    CHECK(same_list(aNow, n, aPrev, nPrev) || same_list(aNow, n, aHidden, nHidden));
  } else {
    CHECK(same_list(aNow, n, aPrev, nPrev));
  }
  sms_cache_info_free(aInfo, n);
  expect_list(pCache, aNow, n);
}

static const double arTtl[] = {0.5, 2.5, 5.5, 10.5, 1000.5};
static const double arTail[] = {0.5, 3.5, 1e9};
static const int anChunk[] = {1, 2, 3, 7, 500};

/* Whether fill g (listed) answers second s of a query of key iKey under these TTLs. */
static int answers(int g, int iKey, sms_time s, double rTtl, double rTail) {
  const Fill *e = &aFill[g];
  SmsCacheKey ke = key_of(e->iKey), kq = key_of(iKey);
  if (ke.zKey != kq.zKey || ke.iProgram != kq.iProgram) return 0;
  if (!(ke.eType == SMS_CACHE_BOTH || ke.eType == kq.eType)) return 0;
  if (e->iAge >= rTtl) return 0;
  sms_time iEntryHi = e->iAge < rTail ? e->iHi : e->iFirm;
  return s >= e->iLo && s < iEntryHi;
}

/* Whether fill a is newer than fill b (its first request went out later). */
static int newer(int a, int b) {
  if (aFill[a].iAge != aFill[b].iAge) return aFill[a].iAge < aFill[b].iAge;
  return aFill[a].iEndSeq > aFill[b].iEndSeq;
}

static void op_plan(SmsCache *pCache, Reader *r) {
  int iKey = next_byte(r) % 12, bLo = next_byte(r), bLen = next_byte(r), bTtl = next_byte(r);
  int bPart = next_byte(r), bHold = next_byte(r);
  SmsCacheKey k = key_of(iKey);
  sms_time iLo = T0 + bLo % 88 - 12, iHi = iLo + 1 + bLen % 88;
  double rTtl = arTtl[bTtl % 5], rTail = arTail[(bTtl / 5) % 3];
  int nPart = bPart % 9 ? bPart % 9 : MAX_PARTS;
  SmsCachePart aPart[MAX_PARTS];
  int aiFill[MAX_PARTS];

  if (rTtl > rMaxTtl) rMaxTtl = rTtl;
  /* The list the plan sees: the older than the longest TTL are gone. */
  Listed aLive[256];
  int nLive = 0;
  for (int i = 0; i < nList; i++)
    if (!is_expired(aList[i].iFill)) aLive[nLive++] = aList[i];

  int n = sms_cache_plan(pCache, &k, iLo, iHi, rTtl, rTail, aPart, nPart);
  TRACE(
      "%d: plan(key %s, program %lld, type %d, [T0%+lld, T0%+lld), ttl %g, tail %g, nPart %d) "
      "=",
      iOp, k.zKey, k.iProgram, k.eType, iLo - T0, iHi - T0, rTtl, rTail, nPart);
  for (int i = 0; i < n && n <= nPart; i++) {
    TRACE(" [T0%+lld, T0%+lld) %s", aPart[i].iLo - T0, aPart[i].iHi - T0,
          aPart[i].pEntry ? "entry" : "gap");
  }
  TRACE("\n");
  CHECK(n >= 1 && n <= nPart);
  /* The parts tile [iLo, iHi) in time order. */
  CHECK(aPart[0].iLo == iLo && aPart[n - 1].iHi == iHi);
  for (int i = 0; i < n; i++) {
    CHECK(aPart[i].iLo < aPart[i].iHi);
    if (i) CHECK(aPart[i].iLo == aPart[i - 1].iHi);
    aiFill[i] = aPart[i].pEntry ? fill_of_entry(aPart[i].pEntry) : -1;
    if (aiFill[i] >= 0) {
      int bLive = 0;
      for (int j = 0; j < nLive; j++)
        bLive |= aLive[j].iFill == aiFill[i];
      CHECK(bLive); /* only listed entries answer: never an incomplete or forgotten one */
    }
  }
  /* Each second: from the newest entry that answers it, or a gap when none does. A plan
  ** that ran out of room (a part added could take it past nPart) may leave gaps, and may
  ** answer a second from an older entry that answers it too. */
  int bFull = n >= nPart - 1;
  for (int i = 0; i < n; i++) {
    for (sms_time s = aPart[i].iLo; s < aPart[i].iHi; s++) {
      int iBest = -1;
      for (int j = 0; j < nLive; j++) {
        int g = aLive[j].iFill;
        if (answers(g, iKey, s, rTtl, rTail) && (iBest < 0 || newer(g, iBest))) iBest = g;
      }
      if (aiFill[i] >= 0) {
        CHECK(answers(aiFill[i], iKey, s, rTtl, rTail));
        if (!bFull) CHECK(aiFill[i] == iBest);
      } else if (!bFull) {
        CHECK(iBest < 0);
      }
    }
  }
  /* The rows of every cached part; one may be kept for later. */
  for (int i = 0; i < n; i++) {
    if (aiFill[i] < 0) continue;
    check_rows(aPart[i].pEntry, aiFill[i], aPart[i].iLo, aPart[i].iHi,
               anChunk[(bHold >> 3) % 5]);
    if ((bHold & 7) == 1 && nHeld < MAX_HELD) {
      sms_cache_retain(aPart[i].pEntry);
      aHeld[nHeld++] = (Held){aPart[i].pEntry, aiFill[i], aPart[i].iLo, aPart[i].iHi};
      bHold = 0;
    }
  }
  /* The list: the live entries, those used moved to the front in the order of the parts. */
  for (int i = 0; i < n; i++) {
    if (aiFill[i] < 0) continue;
    int j = 0;
    while (aLive[j].iFill != aiFill[i])
      j++;
    Listed used = aLive[j];
    memmove(&aLive[1], &aLive[0], j * sizeof(Listed));
    aLive[0] = used;
  }
  for (int i = 0; i < n; i++)
    sms_cache_release(aPart[i].pEntry);
  expect_list(pCache, aLive, nLive);
}

static void op_forget(SmsCache *pCache, Reader *r) {
  int i = next_byte(r) % (nList + 1);
  Listed aWant[256];
  int nWant = 0;
  long long iId = i < nList ? aList[i].iId : 0; /* 0: no entry has it */
  sms_cache_forget(pCache, iId);
  TRACE("%d: forget(fill %d)\n", iOp, i < nList ? aList[i].iFill : -1);
  for (int j = 0; j < nList; j++)
    if (aList[j].iId != iId) aWant[nWant++] = aList[j];
  expect_list(pCache, aWant, nWant);
}

static const size_t anMax[] = {0, 300, 1000, 3000, 10000, (size_t)1 << 30};

static void op_set_max(SmsCache *pCache, Reader *r) {
  Listed aWant[256];
  nMax = anMax[next_byte(r) % 6];
  sms_cache_set_max(pCache, nMax);
  TRACE("%d: set_max(%zu)\n", iOp, nMax);
  memcpy(aWant, aList, nList * sizeof(Listed));
  expect_list(pCache, aWant, fit_prefix(aWant, nList));
}

static void op_read_held(Reader *r) {
  int b = next_byte(r);
  if (!nHeld) return;
  Held *h = &aHeld[b % nHeld];
  check_rows(h->pEntry, h->iFill, h->iLo, h->iHi, anChunk[(b >> 3) % 5]);
  CHECK(fill_of_entry(h->pEntry) == h->iFill);
}

static void op_release_held(Reader *r) {
  int b = next_byte(r);
  if (!nHeld) return;
  int i = b % nHeld;
  sms_cache_release(aHeld[i].pEntry);
  aHeld[i] = aHeld[--nHeld];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Reader r = {data, size};
  SmsCache *pCache = 0;
  nFill = nList = nHeld = nEndSeq = iOp = 0;
  memset(aiOpen, 0, sizeof(aiOpen));
  bTrace = getenv("FUZZ_CACHE_TRACE") != 0;
  nMax = anMax[3 + next_byte(&r) % 3];
  TRACE("cache of %zu bytes\n", nMax);
  CHECK(sms_cache_new(&pCache, nMax) == 0);
  /* The longest TTL asked starts at 0 and drops everything: a first plan sets one. */
  rMaxTtl = 0;
  SmsCachePart part;
  SmsCacheKey k = key_of(0);
  CHECK(sms_cache_plan(pCache, &k, T0, T0 + 1, 1000.5, 1000.5, &part, 1) == 1);
  rMaxTtl = 1000.5;
  while (r.n > 0) {
    iOp++;
    switch (next_byte(&r) % 8) {
    case 0:
      op_begin(pCache, &r);
      break;
    case 1:
      op_add(&r);
      break;
    case 2:
      op_end(pCache, &r);
      break;
    case 3:
      op_plan(pCache, &r);
      break;
    case 4:
      op_forget(pCache, &r);
      break;
    case 5:
      op_set_max(pCache, &r);
      break;
    case 6:
      op_read_held(&r);
      break;
    default:
      op_release_held(&r);
      break;
    }
  }
  for (int i = 0; i < MAX_OPEN; i++) { /* still open: never complete */
    if (aiOpen[i]) sms_cache_fill_end(aFill[aiOpen[i] - 1].pFill, 0, 0, 0, 0, 0);
  }
  while (nHeld)
    sms_cache_release(aHeld[--nHeld].pEntry);
  sms_cache_free(pCache);
  return 0;
}
