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
** which requests bring them is unknown: every chain counts its own copies, by identity and by
** identity and content, and the scan counts the copies it handed out the same two ways. The
** same rule then reads: a copy whose content the scan handed out as often as this chain has
** seen it so far is dropped; else one of an identity the scan handed out as often as this
** chain has seen it is held back until the chain ends, and handed out then only if the chain
** saw more copies of that identity in all than the scan handed out; else it is handed out.
** So a message comes as often as the one chain that saw most of it, and a double send whose
** copies differ comes as both copies, whichever chain brought which first.
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

/* Count one more copy of *pKey in *pCount (a chain's copies, or the scan's handed out): by
** identity and by identity and content. *pnId and *pnExact (may be NULL) get the copies
** counted now. SMS_OK or SMS_NOMEM (nothing counted). */
int sms_seen_count(SmsHashCount *pCount, const SmsSeenKey *pKey, int *pnId, int *pnExact);

/* Judge an undated row as it comes: the chain has now seen nId copies of its identity and
** nExact of its content (this one included). NEW (then counted in pHanded, the scan's
** copies handed out), DROP or HOLD. */
SmsSeenVerdict sms_seen_undated_judge(SmsHashCount *pHanded, const SmsSeenKey *pKey, int nId,
                                      int nExact);

/* Judge a held undated row at the chain's end, the chain having seen nIdTotal copies of its
** identity in all: NEW (then counted in pHanded) or DROP. */
SmsSeenVerdict sms_seen_undated_resolve(SmsHashCount *pHanded, const SmsSeenKey *pKey,
                                        int nIdTotal);

#endif /* SMS_SEEN_H */
