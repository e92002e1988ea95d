/*
** sms_rate.h: the pace of requests to one origin, for the whole process: the rate_limit
** option and the pause after a 429.
**
** Boundary: pure C and pthreads, no libcurl and no SQLite. The HTTP client finds its
** origin's SmsRate once, when it opens, asks sms_rate_acquire before every try of a
** request (retries included) and reports a 429 with sms_rate_pause. Every stream of every
** cursor of every connection of the process that talks to one origin (scheme, host, port)
** shares that origin's SmsRate, so a limit holds for all of them together.
**
** The limit spaces requests: one may begin 1/N seconds after the last one to the origin
** began, so at most N begin in any one-second span (N+1 when the span is closed at both
** ends and a request falls on each end). No burst is allowed: a server counting requests
** per second, whatever it calls a second, never sees more than N+1 in one.
**
** A 429 means the origin counts this process (or its account) as too busy: after one, no
** request of any stream begins until the pause ends (Retry-After, else the backoff), with
** or without a limit. Without a limit no lock is taken: a request reads the pause's end
** with one atomic load.
*/
#ifndef SMS_RATE_H
#define SMS_RATE_H

/* The largest rate_limit accepted, and the smallest non-zero one (one request every
** 1000 s); 0 means no limit. */
#define SMS_RATE_MAX 10000.0
#define SMS_RATE_MIN 0.001

typedef struct SmsRate SmsRate;

/* The SmsRate of zUrl's origin, made on first use; it lives as long as the process (there
** is one per origin ever used, a few hundred bytes each). NULL when out of memory or when
** zUrl is not an http(s) URL with a host. */
SmsRate *sms_rate_find(const char *zUrl);

/* Wait until a request to the origin may begin, and count it as begun. rRate: requests
** per second (0: no limit; then only a 429's pause is waited for). xStop, when not NULL, is
** polled at least every 50 ms while waiting. Returns SMS_OK, or SMS_INTERRUPT when xStop
** said stop (the request is then not counted). */
int sms_rate_acquire(SmsRate *p, double rRate, int (*xStop)(void *), void *pStopArg);

/* The origin answered 429: no request to it begins in the next ms milliseconds. An
** earlier, longer pause is kept. */
void sms_rate_pause(SmsRate *p, long ms);

#endif /* SMS_RATE_H */
