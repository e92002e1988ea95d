/*
** sms_clock.h: what each server's clock says, learned from the Date header of its answers.
**
** Boundary: pure C and pthreads, no SQLite and no network. The API refuses a startDate
** more than a year old by its own clock, so the retention clamp must be computed on the
** server's clock, not the client's: sms_http.c reports the Date of every response here (a
** 400 included), and the window and scan code ask for the server's now. An origin whose
** Date is unknown yet has the client's clock. The table is process-wide (every connection
** and thread that reads an origin learns from the others) and guarded by a mutex.
*/
#ifndef SMS_CLOCK_H
#define SMS_CLOCK_H

#include "sms_window.h"

/* The server's clock is followed however far it is from ours: the API counts its year on
** its own clock, so that clock decides what it holds (a server set months back, like an
** emulator started with --now, holds the year before its now). Only a Date further than
** this is taken for garbage (a server that sends 1970) and not followed. With
** SMS_EXPORT_NOW set, the user has said what time it is: a Date more than a day from it
** (a server on the wall clock) is not followed (SMS_CLOCK_FIXED_SKEW). */
#define SMS_CLOCK_MAX_SKEW (5 * SMS_RETENTION)
#define SMS_CLOCK_FIXED_SKEW SMS_DAY

/* A difference from our clock that is said (sms_clock_far): a few minutes is past any
** network delay or the slack of a clock kept by NTP, so the user should hear of it. */
#define SMS_CLOCK_SAY (5 * 60)

/* Record that a response from zUrl's origin said Date: iDate, received now (by
** sms_time_now(), so that SMS_EXPORT_NOW fixes both ends of the offset). */
void sms_clock_learn(const char *zUrl, sms_time iDate);

/* The server's now for zUrl's origin: sms_time_now() plus the last offset learned for it
** (0 while none is known). */
sms_time sms_clock_now(const char *zUrl);

/* Whether an answer from zUrl's origin has told its clock yet. */
int sms_clock_known(const char *zUrl);

/* Whether the clock of zUrl's origin, as followed, is more than SMS_CLOCK_SAY from ours;
** then *piOffset is the difference (its clock minus ours, seconds) and zOrigin the origin
** ("scheme://host:port"). Never with SMS_EXPORT_NOW set: the user has said what time it is. */
int sms_clock_far(const char *zUrl, sms_time *piOffset, char *zOrigin, size_t nOrigin);

/* The sentence that says it: "the clock of ORIGIN is 3 days behind this machine's (it said
** 2026-06-30 12:00:00 UTC): ...", iDate being what the server's Date said. */
void sms_clock_describe(const char *zOrigin, sms_time iOffset, sms_time iDate, char *zOut,
                        size_t nOut);

/* The oldest startDate the server of zUrl accepts now: sms_retention_oldest() on its clock.
** Every request that clamps to the retention edge asks this, when the request is built. */
sms_time sms_retention_edge(const char *zUrl);

/* Seconds on this machine's monotonic clock: durations and ages are measured with it. */
double sms_monotonic(void);

/* Seconds since 1970 on this machine's wall clock, with the fraction: when a request went
** out, for sms_requests. */
double sms_wall_clock(void);

/* Forget every offset (unit tests). */
void sms_clock_reset(void);

#endif /* SMS_CLOCK_H */
