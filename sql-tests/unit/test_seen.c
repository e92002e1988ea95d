/*
** test_seen.c: unit tests of sms_seen.c, the one rule for rows already handed out.
**
** A first read handed out some rows (the bag); a second read of the same stretch brings
** them again, in any order, some with their status changed since, some copies of a double
** send that differ: exactly the rows the first read did not hand out must come out of it.
** Prints "ok - ..." / "not ok - ..." lines.
*/
#include "sms_seen.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys of messages: identity i, content c. */
static SmsSeenKey key(unsigned long long i, unsigned long long c) {
  SmsSeenKey k = {i, c};
  return k;
}

/* Run a second read over the bag made of the first read's keys: the rows it hands out, as
** "identity.content" words in the order they come (held rows at the end). */
static void second_read(const SmsSeenKey *aFirst, int nFirst, const SmsSeenKey *aSecond,
                        int nSecond, char *zOut) {
  SmsSeenBag bag;
  SmsSeenKey *a = malloc((nFirst + 1) * sizeof(*a));
  SmsSeenKey aHeld[16];
  int nHeld = 0;
  memset(&bag, 0, sizeof(bag));
  memcpy(a, aFirst, nFirst * sizeof(*a));
  sms_seen_bag_set(&bag, a, nFirst);
  zOut[0] = 0;
  for (int i = 0; i < nSecond; i++) {
    SmsSeenVerdict v = sms_seen_bag_judge(&bag, &aSecond[i]);
    if (v == SMS_SEEN_NEW) {
      sprintf(zOut + strlen(zOut), "%llu.%llu ", aSecond[i].iId, aSecond[i].iContent);
    } else if (v == SMS_SEEN_HOLD) {
      aHeld[nHeld++] = aSecond[i];
    }
  }
  for (int i = 0; i < nHeld; i++) {
    if (sms_seen_bag_resolve(&bag, &aHeld[i]) == SMS_SEEN_NEW) {
      sprintf(zOut + strlen(zOut), "%llu.%llu ", aHeld[i].iId, aHeld[i].iContent);
    }
  }
  sms_seen_bag_clear(&bag);
}

int main(void) {
  char z[256];
  /* a double send whose copies differ (identity 1: contents 10 Delivered, 11 Failed) */
  SmsSeenKey aFirstFailed[] = {key(1, 11), key(2, 20)};
  SmsSeenKey aAB[] = {key(1, 10), key(1, 11), key(2, 20), key(3, 30)};
  SmsSeenKey aBA[] = {key(1, 11), key(1, 10), key(2, 20), key(3, 30)};
  second_read(aFirstFailed, 2, aAB, 4, z);
  check_str(z, "3.30 1.10 ",
            "seen: the copy handed out is dropped, the other kept (it came first)");
  second_read(aFirstFailed, 2, aBA, 4, z);
  check_str(z, "1.10 3.30 ", "seen: the same when the other copy comes last");
  /* a delivery report between the reads: identity 2 was 20 (Sent), is 21 (Delivered) */
  SmsSeenKey aFirstSent[] = {key(2, 20)};
  SmsSeenKey aReported[] = {key(2, 21), key(3, 30)};
  second_read(aFirstSent, 1, aReported, 2, z);
  check_str(z, "3.30 ", "seen: a message whose status changed since is the same message");
  /* a double send sent identically: two copies of one content, one handed out */
  SmsSeenKey aFirstOne[] = {key(4, 40)};
  SmsSeenKey aTwo[] = {key(4, 40), key(4, 40)};
  second_read(aFirstOne, 1, aTwo, 2, z);
  check_str(z, "4.40 ", "seen: of two identical copies, the one not handed out comes");
  /* both copies handed out first, one with a new status since */
  SmsSeenKey aFirstBoth[] = {key(1, 10), key(1, 11)};
  SmsSeenKey aChanged[] = {key(1, 12), key(1, 11)};
  second_read(aFirstBoth, 2, aChanged, 2, z);
  check_str(z, "", "seen: both copies handed out, one changed since: none again");

  /* Undated rows: chains in turn, each a list of contents of one identity (9), in the order
  ** they come; what the scan hands out, as contents, held rows at their chain's end. */
  static const struct {
    const char *zDesc;
    int aaChain[3][4]; /* contents, 0-ended; up to 3 chains */
    const char *zWant;
  } aCase[] = {
      {"seen: undated, 2 copies by one chain and 3 by another: 3 in all",
       {{90, 90, 0}, {90, 90, 90, 0}},
       "90 90 90 "},
      {"seen: an undated double send whose copies differ, one chain sees one, the next both",
       {{90, 0}, {91, 90, 0}},
       "90 91 "},
      {"seen: ... the other copy first, then both in the other order",
       {{91, 0}, {90, 91, 0}},
       "91 90 "},
      {"seen: an undated message whose status changed between two chains comes once",
       {{90, 0}, {92, 0}},
       "90 "},
      {"seen: three chains, each a copy of a double send, one both",
       {{90, 0}, {91, 0}, {91, 90, 0}},
       "90 91 "},
  };
  for (size_t k = 0; k < sizeof(aCase) / sizeof(aCase[0]); k++) {
    SmsHashCount handed;
    memset(&handed, 0, sizeof(handed));
    z[0] = 0;
    for (int c = 0; c < 3 && aCase[k].aaChain[c][0]; c++) {
      SmsHashCount chain;
      SmsSeenKey aHeld[4];
      int nHeld = 0, nId = 0, nExact = 0;
      memset(&chain, 0, sizeof(chain));
      for (int i = 0; aCase[k].aaChain[c][i]; i++) {
        SmsSeenKey u = key(9, (unsigned long long)aCase[k].aaChain[c][i]);
        sms_seen_count(&chain, &u, &nId, &nExact);
        SmsSeenVerdict v = sms_seen_undated_judge(&handed, &u, nId, nExact);
        if (v == SMS_SEEN_NEW) sprintf(z + strlen(z), "%llu ", u.iContent);
        if (v == SMS_SEEN_HOLD) aHeld[nHeld++] = u;
      }
      for (int i = 0; i < nHeld; i++) {
        if (sms_seen_undated_resolve(&handed, &aHeld[i], nId) == SMS_SEEN_NEW) {
          sprintf(z + strlen(z), "%llu ", aHeld[i].iContent);
        }
      }
      sms_hash_count_clear(&chain);
    }
    check_str(z, aCase[k].zWant, aCase[k].zDesc);
    sms_hash_count_clear(&handed);
  }
  return tap_done();
}
