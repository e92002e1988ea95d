/*
** sms_log.c: the request log of one database connection. See sms_log.h.
**
** A ring of SMS_LOG_SIZE records behind one mutex: the scans' worker threads add to it
** concurrently.
*/
#include "sms_log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct SmsLog {
  pthread_mutex_t mutex;           /* writers are the scans' threads */
  SmsLogRecord aRec[SMS_LOG_SIZE]; /* the ring */
  long long nAdded;                /* records ever added: the next iSeq is nAdded+1 */
};

SmsLog *sms_log_new(void) {
  SmsLog *p = calloc(1, sizeof(*p));
  if (p) pthread_mutex_init(&p->mutex, 0);
  return p;
}

static void clear_record(SmsLogRecord *pRec) {
  free(pRec->zUrl);
  free(pRec->zError);
  memset(pRec, 0, sizeof(*pRec));
}

void sms_log_free(SmsLog *p) {
  if (!p) return;
  for (int i = 0; i < SMS_LOG_SIZE; i++)
    clear_record(&p->aRec[i]);
  pthread_mutex_destroy(&p->mutex);
  free(p);
}

void sms_log_add(SmsLog *p, const SmsLogRecord *pRec) {
  if (!p) return;
  char *zUrl = strdup(pRec->zUrl ? pRec->zUrl : "");
  char *zError = pRec->zError ? strdup(pRec->zError) : 0;
  if (!zUrl || (pRec->zError && !zError)) {
    free(zUrl);
    free(zError);
    return;
  }
  pthread_mutex_lock(&p->mutex);
  SmsLogRecord *pSlot = &p->aRec[p->nAdded % SMS_LOG_SIZE];
  clear_record(pSlot);
  *pSlot = *pRec;
  pSlot->iSeq = ++p->nAdded;
  pSlot->zUrl = zUrl;
  pSlot->zError = zError;
  pthread_mutex_unlock(&p->mutex);
}

int sms_log_snapshot(SmsLog *p, SmsLogRecord **paRec) {
  *paRec = 0;
  if (!p) return 0;
  pthread_mutex_lock(&p->mutex);
  long long nFirst = p->nAdded > SMS_LOG_SIZE ? p->nAdded - SMS_LOG_SIZE : 0;
  int n = (int)(p->nAdded - nFirst);
  SmsLogRecord *a = calloc(n ? n : 1, sizeof(*a));
  int bOk = a != 0;
  for (int i = 0; bOk && i < n; i++) {
    const SmsLogRecord *pSrc = &p->aRec[(nFirst + i) % SMS_LOG_SIZE];
    a[i] = *pSrc;
    a[i].zUrl = strdup(pSrc->zUrl);
    a[i].zError = pSrc->zError ? strdup(pSrc->zError) : 0;
    if (!a[i].zUrl || (pSrc->zError && !a[i].zError)) bOk = 0;
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
  }
  free(aRec);
}
