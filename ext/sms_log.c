/*
** sms_log.c: the request log of one database connection. See sms_log.h.
**
** A ring of SMS_LOG_SIZE records behind one mutex: the scans' worker threads add to it
** concurrently. A deleted record stays in its slot, marked (an empty slot, iSeq 0), until
** the ring comes round to it, so that deleting one record moves no other.
*/
#include "sms_log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the current statement read of one program (sms_log_statement_counts). */
typedef struct StmtCount {
  long long iProgram; /* the program */
  long long nFetched; /* pages the API sent */
  long long nCached;  /* parts the cache answered */
} StmtCount;

#define N_SAID 8 /* keys sms_log_once remembers (origins: a connection reads few) */

/* A value the connection said (sms_log_once). */
typedef struct Said {
  char *zKey;       /* what it was about, malloc'd; NULL when the slot is free */
  long long iValue; /* the value said */
} Said;

struct SmsLog {
  pthread_mutex_t mutex;              /* writers are the scans' threads */
  SmsLogRecord aRec[SMS_LOG_SIZE];    /* the ring; a slot with iSeq 0 holds no record */
  long long nAdded;                   /* records ever added: the next iSeq is nAdded+1 */
  long long iStmt;                    /* the current statement's number, 0 before the first */
  StmtCount aCount[SMS_LOG_PROGRAMS]; /* the current statement's programs */
  int nCount;                         /* entries in aCount */
  Said aSaid[N_SAID];                 /* what sms_log_once said; a full table forgets slot 0 */
  char zNote[512];                    /* the newest note no progress line took, "" if none */
};

SmsLog *sms_log_new(void) {
  SmsLog *p = calloc(1, sizeof(*p));
  if (p) pthread_mutex_init(&p->mutex, 0);
  return p;
}

static void clear_record(SmsLogRecord *pRec) {
  free(pRec->zUrl);
  free(pRec->zError);
  free(pRec->zNote);
  memset(pRec, 0, sizeof(*pRec));
}

void sms_log_free(SmsLog *p) {
  if (!p) return;
  for (int i = 0; i < SMS_LOG_SIZE; i++)
    clear_record(&p->aRec[i]);
  for (int i = 0; i < N_SAID; i++)
    free(p->aSaid[i].zKey);
  pthread_mutex_destroy(&p->mutex);
  free(p);
}

void sms_log_statement_begin(SmsLog *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mutex);
  p->iStmt++;
  p->nCount = 0;
  p->zNote[0] = 0; /* a note no page of its statement took (the scan failed) is not said late */
  pthread_mutex_unlock(&p->mutex);
}

/* The current statement's counts of program iProgram, added when bAdd; NULL when there is
** no room. Called with the mutex held. */
static StmtCount *stmt_count(SmsLog *p, long long iProgram, int bAdd) {
  for (int i = 0; i < p->nCount; i++) {
    if (p->aCount[i].iProgram == iProgram) return &p->aCount[i];
  }
  if (!bAdd || p->nCount == SMS_LOG_PROGRAMS) return 0;
  StmtCount *pNew = &p->aCount[p->nCount++];
  memset(pNew, 0, sizeof(*pNew));
  pNew->iProgram = iProgram;
  return pNew;
}

/* Count pRec in its program's StmtCount. Called with the mutex held. */
static void count_record(SmsLog *p, const SmsLogRecord *pRec) {
  if (!pRec->bCache && pRec->nRow < 0) return; /* a try that brought no page */
  StmtCount *pCount = stmt_count(p, pRec->iProgram, 1);
  if (pCount && pRec->bCache) pCount->nCached++;
  if (pCount && !pRec->bCache) pCount->nFetched++;
}

void sms_log_statement_counts(SmsLog *p, const long long *aProgram, int nProgram,
                              long long *pnFetched, long long *pnCached) {
  *pnFetched = *pnCached = 0;
  if (!p) return;
  pthread_mutex_lock(&p->mutex);
  for (int i = 0; i < nProgram; i++) {
    StmtCount *pCount = stmt_count(p, aProgram[i], 0);
    if (pCount) {
      *pnFetched += pCount->nFetched;
      *pnCached += pCount->nCached;
    }
  }
  pthread_mutex_unlock(&p->mutex);
}

int sms_log_once(SmsLog *p, const char *zKey, long long iValue, long long iSlack) {
  int bSay = 0;
  if (!p) return 0;
  pthread_mutex_lock(&p->mutex);
  Said *pSaid = 0;
  for (int i = 0; i < N_SAID && !pSaid; i++) {
    if (p->aSaid[i].zKey && strcmp(p->aSaid[i].zKey, zKey) == 0) pSaid = &p->aSaid[i];
  }
  if (!pSaid) {
    char *zCopy = strdup(zKey);
    if (zCopy) {
      for (int i = N_SAID - 1; i >= 0 && !pSaid; i--) {
        if (!p->aSaid[i].zKey || i == 0) pSaid = &p->aSaid[i];
      }
      free(pSaid->zKey);
      pSaid->zKey = zCopy;
      pSaid->iValue = iValue;
      bSay = 1;
    }
  } else if (iValue > pSaid->iValue + iSlack || iValue < pSaid->iValue - iSlack) {
    pSaid->iValue = iValue;
    bSay = 1;
  }
  pthread_mutex_unlock(&p->mutex);
  return bSay;
}

int sms_log_take_note(SmsLog *p, char *zOut, size_t nOut) {
  int bNote = 0;
  if (!p || nOut == 0) return 0;
  pthread_mutex_lock(&p->mutex);
  if (p->zNote[0]) {
    snprintf(zOut, nOut, "%s", p->zNote);
    p->zNote[0] = 0;
    bNote = 1;
  }
  pthread_mutex_unlock(&p->mutex);
  return bNote;
}

/* The current statement's record of the cache part pRec, or NULL. Only the newest records
** are looked at, back to the first of an earlier statement. Called with the mutex held. */
static SmsLogRecord *cache_part_logged(SmsLog *p, const SmsLogRecord *pRec) {
  long long iSeq;
  for (iSeq = p->nAdded; iSeq > 0 && iSeq > p->nAdded - SMS_LOG_SIZE; iSeq--) {
    SmsLogRecord *pOld = &p->aRec[(iSeq - 1) % SMS_LOG_SIZE];
    if (pOld->iSeq == 0) continue; /* deleted */
    if (pOld->iStmt != p->iStmt) break;
    if (pOld->bCache && pOld->iProgram == pRec->iProgram &&
        strcmp(pOld->zUrl, pRec->zUrl) == 0) {
      return pOld;
    }
  }
  return 0;
}

void sms_log_add(SmsLog *p, const SmsLogRecord *pRec) {
  if (!p) return;
  const char *zUrlIn = pRec->zUrl ? pRec->zUrl : "";
  if (pRec->bCache) {
    SmsLogRecord rec = *pRec, *pOld;
    rec.zUrl = (char *)zUrlIn;
    pthread_mutex_lock(&p->mutex);
    pOld = cache_part_logged(p, &rec);
    if (pOld) {
      pOld->nCount++;
      count_record(p, &rec);
    }
    pthread_mutex_unlock(&p->mutex);
    if (pOld) return;
  }
  char *zUrl = strdup(zUrlIn);
  char *zError = pRec->zError ? strdup(pRec->zError) : 0;
  char *zNote = pRec->zNote ? strdup(pRec->zNote) : 0;
  if (!zUrl || (pRec->zError && !zError) || (pRec->zNote && !zNote)) {
    free(zUrl);
    free(zError);
    free(zNote);
    return;
  }
  pthread_mutex_lock(&p->mutex);
  SmsLogRecord *pSlot = &p->aRec[p->nAdded % SMS_LOG_SIZE];
  clear_record(pSlot);
  *pSlot = *pRec;
  pSlot->iSeq = ++p->nAdded;
  pSlot->iStmt = p->iStmt;
  pSlot->nCount = 1;
  pSlot->zUrl = zUrl;
  pSlot->zError = zError;
  pSlot->zNote = zNote;
  if (zNote) snprintf(p->zNote, sizeof(p->zNote), "%s", zNote);
  count_record(p, pSlot);
  pthread_mutex_unlock(&p->mutex);
}

void sms_log_delete(SmsLog *p, long long iSeq) {
  if (!p || iSeq < 1) return;
  pthread_mutex_lock(&p->mutex);
  SmsLogRecord *pSlot = &p->aRec[(iSeq - 1) % SMS_LOG_SIZE];
  if (pSlot->iSeq == iSeq) clear_record(pSlot);
  pthread_mutex_unlock(&p->mutex);
}

int sms_log_snapshot(SmsLog *p, SmsLogRecord **paRec) {
  *paRec = 0;
  if (!p) return 0;
  pthread_mutex_lock(&p->mutex);
  long long nFirst = p->nAdded > SMS_LOG_SIZE ? p->nAdded - SMS_LOG_SIZE : 0;
  int nSlot = (int)(p->nAdded - nFirst), n = 0;
  SmsLogRecord *a = calloc(nSlot ? nSlot : 1, sizeof(*a));
  int bOk = a != 0;
  for (int i = 0; bOk && i < nSlot; i++) {
    const SmsLogRecord *pSrc = &p->aRec[(nFirst + i) % SMS_LOG_SIZE];
    if (pSrc->iSeq == 0) continue; /* deleted */
    a[n] = *pSrc;
    a[n].zUrl = strdup(pSrc->zUrl);
    a[n].zError = pSrc->zError ? strdup(pSrc->zError) : 0;
    a[n].zNote = pSrc->zNote ? strdup(pSrc->zNote) : 0;
    if (!a[n].zUrl || (pSrc->zError && !a[n].zError) || (pSrc->zNote && !a[n].zNote)) bOk = 0;
    n++;
  }
  pthread_mutex_unlock(&p->mutex);
  if (!bOk) {
    sms_log_snapshot_free(a, n);
    return -1;
  }
  *paRec = a;
  return n;
}

void sms_log_snapshot_free(SmsLogRecord *aRec, int nRec) {
  if (!aRec) return;
  for (int i = 0; i < nRec; i++) {
    free(aRec[i].zUrl);
    free(aRec[i].zError);
    free(aRec[i].zNote);
  }
  free(aRec);
}
