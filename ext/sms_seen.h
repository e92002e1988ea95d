/*
** sms_seen.h: rows already handed out, the one rule every plan that reads a stretch of time
** twice uses to hand each message out exactly once.
**
** Boundary: pure C over sms_page's rows, no SQLite, no network, no locks (the scan guards a
** shared bag or count with a mutex of its own, never the one its consumer waits on).
**
** The rule. A row is known by two hashes (sms_seen_key): its identity (what never changes
** about a message: type, date, number, body; sms_page_row_identity) and its content (the
** whole message object). When a scan reads again a stretch some rows of which it handed out
** already (the adaptive default's first page, re-read by sub-windows), those rows sit in a
** bag of (identity, content) pairs, and each row of the second read is matched against it:
**
**   - a pair of the same identity and content not matched yet: the same copy, dropped;
**   - else a pair of the same identity but another content: held back until the read ends,
**     since the API states no order and a copy of that very content may still come (a
**     double send whose copies differ: an MT copy has its own status);
**   - else new, handed out.
**
** At the end of the read every copy that was to come came, so a held row still matched by
** identity alone is the message handed out before with its status changed since (a delivery
** report came in between): dropped; one not matched is new.
**
** Rows without a readable date (a non-conforming API) cannot be placed in any stretch, and
** which requests bring them is unknown: every chain counts its own copies of each identity,
** and the scan hands a copy out only when that chain has seen more copies than the scan
** handed out so far (sms_seen_undated), so a message comes as often as the one chain that
** saw most of it.
*/
#ifndef SMS_SEEN_H
#define SMS_SEEN_H

#include "sms_page.h"
#include "sms_rc.h"

/* A row's identity (h[0]) and content (h[1]). */
typedef struct SmsSeenKey {
  unsigned long long iId;      /* identity: the same whatever its status says later */
  unsigned long long iContent; /* content: the whole message object */
} SmsSeenKey;

/* Fill *pKey for row iRow of pPage (iProgram mixed into the identity). SMS_OK or
** SMS_NOMEM (a body with escapes is decoded into the page's scratch). */
int sms_seen_key(SmsPage *pPage, int iRow, long long iProgram, SmsSeenKey *pKey);

/* The rows a read handed out, for a second read of the same stretch to drop. */
typedef struct SmsSeenBag {
  SmsSeenKey *aKey;      /* sorted by identity, then content */
  unsigned char *aTaken; /* which were matched by the second read */
  int nKey;              /* entries in aKey */
} SmsSeenBag;

/* Make *p (cleared first) hold the n keys at aKey, which it takes over (malloc'd, or NULL
** when n is 0) and sorts. SMS_OK, or SMS_NOMEM (aKey freed, *p empty). */
int sms_seen_bag_set(SmsSeenBag *p, SmsSeenKey *aKey, int n);

/* What a row of the second read is, by the rule above. */
typedef enum SmsSeenVerdict { SMS_SEEN_NEW, SMS_SEEN_DROP, SMS_SEEN_HOLD } SmsSeenVerdict;

/* Judge a row as it comes: DROP (its pair is matched now), HOLD or NEW. */
SmsSeenVerdict sms_seen_bag_judge(SmsSeenBag *p, const SmsSeenKey *pKey);

/* Judge a held row at the end of the read: DROP (a pair of its identity matched now) or
** NEW. */
SmsSeenVerdict sms_seen_bag_resolve(SmsSeenBag *p, const SmsSeenKey *pKey);

void sms_seen_bag_clear(SmsSeenBag *p);

/* An undated row of identity pKey->iId, of which the chain has now seen nChainCopies (this
** one included): 1 when it is to be handed out, and then counted in pHanded (the scan's
** count of copies handed out); 0 when another chain handed that copy out already. A count
** that cannot grow (no memory) keeps the row: rather twice than never. */
int sms_seen_undated(SmsHashCount *pHanded, const SmsSeenKey *pKey, int nChainCopies);

#endif /* SMS_SEEN_H */
