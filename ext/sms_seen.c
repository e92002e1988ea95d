/*
** sms_seen.c: rows already handed out. See sms_seen.h for the rule.
*/
#include "sms_seen.h"

#include <stdlib.h>
#include <string.h>

int sms_seen_key(SmsPage *pPage, int iRow, long long iProgram, SmsSeenKey *pKey) {
  SmsIdentity id;
  int rc = sms_page_row_identity(pPage, iRow, &id);
  if (rc != SMS_OK) return rc;
  pKey->iId = (id.iHash ^ (unsigned long long)iProgram) ^
              sms_siphash(1, 2, id.zClear, strlen(id.zClear));
  pKey->iContent = sms_page_row_hash(pPage, iRow);
  return SMS_OK;
}

static int key_cmp(const void *pA, const void *pB) {
  const SmsSeenKey *a = pA, *b = pB;
  if (a->iId != b->iId) return (a->iId > b->iId) - (a->iId < b->iId);
  return (a->iContent > b->iContent) - (a->iContent < b->iContent);
}

int sms_seen_bag_set(SmsSeenBag *p, SmsSeenKey *aKey, int n) {
  sms_seen_bag_clear(p);
  p->aTaken = calloc(n ? n : 1, 1);
  if (!p->aTaken) {
    free(aKey);
    return SMS_NOMEM;
  }
  if (n) qsort(aKey, n, sizeof(*aKey), key_cmp);
  p->aKey = aKey;
  p->nKey = n;
  return SMS_OK;
}

/* The first entry of identity iId, or where it would be. */
static int first_of(const SmsSeenBag *p, unsigned long long iId) {
  int lo = 0, hi = p->nKey;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (p->aKey[mid].iId < iId)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

SmsSeenVerdict sms_seen_bag_judge(SmsSeenBag *p, const SmsSeenKey *pKey) {
  int bOther = 0;
  for (int i = first_of(p, pKey->iId); i < p->nKey && p->aKey[i].iId == pKey->iId; i++) {
    if (p->aTaken[i]) continue;
    if (p->aKey[i].iContent == pKey->iContent) {
      p->aTaken[i] = 1;
      return SMS_SEEN_DROP;
    }
    bOther = 1;
  }
  return bOther ? SMS_SEEN_HOLD : SMS_SEEN_NEW;
}

SmsSeenVerdict sms_seen_bag_resolve(SmsSeenBag *p, const SmsSeenKey *pKey) {
  for (int i = first_of(p, pKey->iId); i < p->nKey && p->aKey[i].iId == pKey->iId; i++) {
    if (!p->aTaken[i]) {
      p->aTaken[i] = 1;
      return SMS_SEEN_DROP;
    }
  }
  return SMS_SEEN_NEW;
}

void sms_seen_bag_clear(SmsSeenBag *p) {
  free(p->aKey);
  free(p->aTaken);
  memset(p, 0, sizeof(*p));
}

/* The second word of the count of a key by identity and content (the first is the
** identity): never 0, which counts by identity alone. */
static unsigned long long exact_word(const SmsSeenKey *pKey) {
  return pKey->iContent ? pKey->iContent : 1;
}

int sms_seen_count(SmsHashCount *pCount, const SmsSeenKey *pKey, int *pnId, int *pnExact) {
  int nId, nExact;
  if (sms_hash_count_add(pCount, pKey->iId, 0, &nId) != SMS_OK) return SMS_NOMEM;
  if (sms_hash_count_add(pCount, pKey->iId, exact_word(pKey), &nExact) != SMS_OK) {
    return SMS_NOMEM; /* the identity counted one more: rather a copy too many than lost */
  }
  if (pnId) *pnId = nId + 1;
  if (pnExact) *pnExact = nExact + 1;
  return SMS_OK;
}

SmsSeenVerdict sms_seen_undated_judge(SmsHashCount *pHanded, const SmsSeenKey *pKey, int nId,
                                      int nExact) {
  if (nExact <= sms_hash_count_get(pHanded, pKey->iId, exact_word(pKey))) return SMS_SEEN_DROP;
  if (nId <= sms_hash_count_get(pHanded, pKey->iId, 0)) return SMS_SEEN_HOLD;
  (void)sms_seen_count(pHanded, pKey, 0, 0); /* no memory: handed out uncounted */
  return SMS_SEEN_NEW;
}

SmsSeenVerdict sms_seen_undated_resolve(SmsHashCount *pHanded, const SmsSeenKey *pKey,
                                        int nIdTotal) {
  if (nIdTotal <= sms_hash_count_get(pHanded, pKey->iId, 0)) return SMS_SEEN_DROP;
  (void)sms_seen_count(pHanded, pKey, 0, 0);
  return SMS_SEEN_NEW;
}
