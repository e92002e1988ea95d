/*
** query.h: the query-string rules of the emulated export endpoint.
**
** query_parse reads the raw query string of
** GET /api/messages/program/{id} exactly as a strict vendor server would:
** known parameters only, each at most once, never empty, values in their
** documented syntax, and the date traps of the vendor page (no dates means
** "today only", nothing older than a year, no window longer than a year).
** On success it yields the window of message dates to serve; otherwise the
** list of error messages for the 400 body.
**
** Usage:
**   struct query q;
**   if (query_parse(&q, raw_query_or_NULL, now)) serve q.lo..q.hi
**   else for (i = 0; i < q.n_errors; i++) q.errors[i], q.error_fields[i]
**   query_free(&q);
*/
#ifndef SMS_EMU_QUERY_H
#define SMS_EMU_QUERY_H

#include "buf.h"

#include <time.h>

#define QUERY_MAX_ERRORS 16        /* errors kept for one request */
#define QUERY_DEFAULT_PAGE_SIZE 50 /* the vendor says 50 (and 100) */
#define QUERY_MAX_PAGE_SIZE 500    /* the vendor's upper limit */
#define QUERY_YEAR (365L * 86400L) /* the longest window, in seconds */

struct query {
  int type;                             /* DATA_ALL, DATA_MO or DATA_MT */
  int has_start;                        /* startDate was given */
  int has_end;                          /* endDate was given */
  time_t start;                         /* startDate, if given */
  time_t end;                           /* endDate, if given */
  long page_size;                       /* pageSize, or the default */
  long page;                            /* page (1-based), or 1 */
  time_t lo;                            /* first date served (inclusive) */
  time_t hi;                            /* last date served (inclusive) */
  struct buf rest;                      /* raw "k=v&k=v" of all but page: nextPageUrl */
  int n_errors;                         /* entries in errors[] */
  char *errors[QUERY_MAX_ERRORS];       /* messages for generalErrors */
  char *error_fields[QUERY_MAX_ERRORS]; /* field of each, or NULL */
};

int query_parse(struct query *q, const char *raw, time_t now);
void query_free(struct query *q);

#endif /* SMS_EMU_QUERY_H */
