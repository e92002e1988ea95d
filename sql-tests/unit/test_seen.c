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

  /* undated rows: the scan hands out as many copies as the one chain that saw most */
  SmsHashCount handed;
  memset(&handed, 0, sizeof(handed));
  SmsSeenKey u = key(9, 90);
  int nA = sms_seen_undated(&handed, &u, 1) + sms_seen_undated(&handed, &u, 2);
  int nB = sms_seen_undated(&handed, &u, 1) + sms_seen_undated(&handed, &u, 2) +
           sms_seen_undated(&handed, &u, 3);
  check(nA == 2 && nB == 1, "seen: undated copies, 2 by one chain and 3 by another: 3 in all");
  sms_hash_count_clear(&handed);
  return tap_done();
}
