/*
** data.h: the emulator's message store: deterministic SMS messages per
** program, generated once on first use and kept as pre-rendered JSON text.
**
** The data depend only on (seed, program id, now, quirks): the same flags
** give the same bytes, so tests can compare bodies and a benchmark is
** repeatable.  With --anchor they depend on the anchor instead of now, and
** now only decides which of them a request sees (eventual consistency:
** --late-minutes, --report-minutes), so a test can move the clock and see
** the same messages, older.  With --life they are a program's life (life.h),
** a function of the seed, the program id and absolute time, of which now only
** decides the year shown.  A page is served by copying a contiguous run of pre-rendered
** objects, never by building JSON per request.
**
** Usage:
**   struct data_config c = {seed, n_programs, n_messages, now, quirks};
**   data_init(&c);
**   const struct data_program *p;
**   if (data_get(4711, &p) == DATA_OK) {
**     long b, e;
**     data_select(p, DATA_MO, lo, hi, &b, &e);   positions b..e-1 match
**     data_render(p, DATA_MO, b, e, &buf);      appends "{...},{...}"
**   }
*/
#ifndef SMS_EMU_DATA_H
#define SMS_EMU_DATA_H

#include "buf.h"

#include <stdint.h>
#include <time.h>

#define DATA_FIRST_PROGRAM 4711L   /* id of the first program */
#define DATA_MAX_PROGRAMS 10000L   /* sanity limit of --programs */
#define DATA_MAX_MESSAGES 2000000L /* sanity limit of --messages */
#define DATA_DAY 86400L            /* seconds in a day (UTC has no DST) */

/* Which messages a list holds: every one, or only one direction. */
enum data_type { DATA_ALL = 0, DATA_MO = 1, DATA_MT = 2 };

/* What data_get reports. */
enum data_status { DATA_OK = 0, DATA_NOT_FOUND = 1, DATA_NOMEM = 2 };

struct data_config {
  uint64_t seed;   /* --seed: picks every random choice */
  long n_programs; /* --programs: ids DATA_FIRST_PROGRAM.. */
  long n_messages; /* --messages: exact count of every program */
  time_t now;      /* --now: dates fall in (now - 365 days, now] */
  int quirks;      /* --quirks: tolerant-reader variations */
  time_t anchor;   /* --anchor, or 0: dates fall in (anchor - 365 d, anchor + 365 d],
                   ** the same for every --now */
  long late_min;   /* --late-minutes: 1 message in 5 is recorded up to this late */
  long report_min; /* --report-minutes: delivery reports come up to this late */
  int doubles;     /* --doubles: 1 message in 25 is sent twice, identically */
  long undated;    /* --undated K: 1 message in K is shown without its date, or 0 */
  long bunched;    /* --bunched P: P% of the messages fall in one fortnight, or 0 */
  int life;        /* --life: a program's life over absolute time (life.c); n_messages
                   ** is then about so many a year */
};

struct data_program; /* opaque; see data.c */

int data_init(const struct data_config *cfg);
void data_shutdown(void);
int data_get(long id, const struct data_program **pp);
void data_select(const struct data_program *p, int type, time_t lo, time_t hi, long *begin,
                 long *end);
void data_render(const struct data_program *p, int type, long begin, long end, struct buf *out);
long data_count(const struct data_program *p, int type);

/* With --anchor, --late-minutes or --report-minutes what a request sees depends on its
** now: only the messages recorded by then, each with the status it had then. */
int data_dynamic(void);
/* Append the messages of positions [begin, end) of list `type` that are recorded at now,
** skipping the first `skip` of them and taking at most `limit`; *more says whether one
** more follows. Returns how many were appended. */
long data_render_at(const struct data_program *p, int type, long begin, long end, time_t now,
                    long skip, long limit, struct buf *out, int *more);

int data_parse_date(const char *z, time_t *t);
void data_format_date(time_t t, char *out);

#endif /* SMS_EMU_DATA_H */
