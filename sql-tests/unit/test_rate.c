/*
** test_rate.c: unit tests of sms_rate.c: one pace per origin, requests spaced by the limit
** across threads, a 429's pause held by every request to the origin, waits that stop when
** asked. Prints "ok - ..." / "not ok - ...".
**
** Times are only checked from below (a wait at least this long), which a loaded machine
** cannot break; "did not wait" is checked by counting the polls of xStop, never by a clock.
*/
#include "sms_http.h"
#include "sms_rate.h"
#include "tap.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>


static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An xStop that counts its calls: a request that never waited never polls. */
static int count_polls(void *pArg) {
  ++*(int *)pArg;
  return 0;
}

/* An xStop that says stop at its third call. */
static int stop_soon(void *pArg) {
  return ++*(int *)pArg >= 3;
}

#define N_THREAD 4
#define N_EACH 5
#define RATE 20.0

static SmsRate *pShared;
static int aRc[N_THREAD];

static void *acquire_some(void *pArg) {
  int *pRc = pArg;
  for (int i = 0; i < N_EACH; i++)
    *pRc |= sms_rate_acquire(pShared, RATE, 0, 0);
  return 0;
}

int main(void) {
  int nPoll = 0;
  SmsRate *pA = sms_rate_find("http://Rate.Example/api");
  check(pA != 0, "an origin's pace is made on first use");
  check(sms_rate_find("http://rate.example:80/other?x=1") == pA,
        "the same origin (host case, default port, another path) has the same pace");
  check(sms_rate_find("https://rate.example/api") != pA &&
            sms_rate_find("http://rate.example:8080/api") != pA,
        "another scheme or port is another origin");
  check(sms_rate_find("ftp://rate.example/") == 0, "no pace for a URL without an http origin");

  check(sms_rate_acquire(pA, 0, count_polls, &nPoll) == SMS_OK && nPoll == 0,
        "no limit and no pause: no wait");
  check(sms_rate_acquire(pA, 1, count_polls, &nPoll) == SMS_OK && nPoll == 0,
        "a limit: the first request does not wait");

  /* 20 requests at 20 per second from 4 threads: the last begins 19/20 s after the first
  ** at the earliest. Without spacing they all begin at once. */
  pShared = sms_rate_find("http://threads.example/");
  pthread_t aThread[N_THREAD];
  double rStart = seconds();
  for (int i = 0; i < N_THREAD; i++)
    pthread_create(&aThread[i], 0, acquire_some, &aRc[i]);
  for (int i = 0; i < N_THREAD; i++)
    pthread_join(aThread[i], 0);
  double rTook = seconds() - rStart;
  int bAllOk = 1;
  for (int i = 0; i < N_THREAD; i++)
    bAllOk &= aRc[i] == SMS_OK;
  check(bAllOk, "4 threads acquire 5 turns each");
  check(rTook >= (N_THREAD * N_EACH - 1) / RATE - 0.002,
        "20 turns at 20 per second from 4 threads span at least 0.95 s");
  if (rTook < 0.948) printf("#   took %.3f s\n", rTook);

  /* A 429's pause holds every request to the origin, limited or not. */
  SmsRate *pB = sms_rate_find("http://pause.example/");
  sms_rate_pause(pB, 300);
  rStart = seconds();
  check(sms_rate_acquire(pB, 0, 0, 0) == SMS_OK && seconds() - rStart >= 0.299,
        "a 429's pause holds a request without a limit");
  sms_rate_pause(pB, 300);
  sms_rate_pause(pB, 100); /* a shorter pause does not shorten the first */
  rStart = seconds();
  check(sms_rate_acquire(pB, 1000, 0, 0) == SMS_OK && seconds() - rStart >= 0.299,
        "... and a limited one; a later, shorter pause keeps the longer");
  nPoll = 0;
  sms_rate_pause(pB, 10000);
  check(sms_rate_acquire(pA, 0, count_polls, &nPoll) == SMS_OK && nPoll == 0,
        "another origin does not wait for it");

  /* Waits end when xStop says so. */
  nPoll = 0;
  rStart = seconds();
  check(sms_rate_acquire(pB, 0, stop_soon, &nPoll) == SMS_INTERRUPT && nPoll == 3,
        "a paused request without a limit stops when asked");
  nPoll = 0;
  check(sms_rate_acquire(pB, 5, stop_soon, &nPoll) == SMS_INTERRUPT && nPoll == 3,
        "a paused request with a limit stops when asked");
  SmsRate *pC = sms_rate_find("http://slow.example/");
  nPoll = 0;
  check(sms_rate_acquire(pC, 0.001, stop_soon, &nPoll) == SMS_OK && nPoll == 0 &&
            sms_rate_acquire(pC, 0.001, stop_soon, &nPoll) == SMS_INTERRUPT && nPoll == 3,
        "a request waiting its turn (one per 1000 s) stops when asked");
  check(seconds() - rStart < 9, "stopping does not wait out the pause");
  return tap_done();
}
