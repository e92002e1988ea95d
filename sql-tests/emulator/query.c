/*
** query.c: the query-string rules declared in query.h.
**
** The raw query string is split and percent-decoded here rather than taken
** from libmicrohttpd's parsed arguments, because the rules need what a
** parsed map hides: repeated parameters, parameters without '=', the order
** and raw spelling of each parameter (nextPageUrl repeats them verbatim).
** All syntax errors of a request are reported together; the date rules are
** checked only on a request whose syntax is valid.
*/
#include "query.h"
#include "data.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ECHO 200 /* bytes of a client's value quoted in a message */

enum { P_TYPE, P_START, P_END, P_SIZE, P_PAGE, N_PARAMS };
static const char *const param_names[N_PARAMS] = {"messageType", "startDate", "endDate",
                                                  "pageSize", "page"};

static void add_error(struct query *q, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_error(struct query *q, const char *field, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  if (q->n_errors >= QUERY_MAX_ERRORS) return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  q->errors[q->n_errors] = strdup(msg);
  q->error_fields[q->n_errors] = field ? strdup(field) : NULL;
  q->n_errors++;
}

/* A client's text cut to MAX_ECHO bytes, for quoting in a message. */
static const char *echo(const char *z, char *out) {
  snprintf(out, MAX_ECHO + 1, "%s", z);
  return out;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decode n bytes of z (percent escapes, '+' as space) into a new string.
** Returns NULL on a bad escape or an escaped NUL; *oom on no memory. */
static char *decode(const char *z, size_t n, int *oom) {
  char *out = malloc(n + 1), *o = out;
  size_t i;
  if (out == NULL) {
    *oom = 1;
    return NULL;
  }
  for (i = 0; i < n; i++) {
    if (z[i] == '%') {
      int h, l;
      if (i + 2 >= n) goto bad;
      h = hex_value(z[i + 1]);
      l = hex_value(z[i + 2]);
      if (h < 0 || l < 0 || (h == 0 && l == 0)) goto bad;
      *o++ = (char)(h * 16 + l);
      i += 2;
    } else {
      *o++ = z[i] == '+' ? ' ' : z[i];
    }
  }
  *o = 0;
  return out;
bad:
  free(out);
  return NULL;
}

/* Strict unsigned decimal of at most 9 digits: no sign, no spaces. */
static int parse_count(const char *z, long *v) {
  size_t i, n = strlen(z);
  if (n == 0 || n > 9) return 0;
  *v = 0;
  for (i = 0; i < n; i++) {
    if (z[i] < '0' || z[i] > '9') return 0;
    *v = *v * 10 + (z[i] - '0');
  }
  return 1;
}

static void check_value(struct query *q, int p, const char *v) {
  char e[MAX_ECHO + 1];
  long n;
  switch (p) {
  case P_TYPE:
    if (strcmp(v, "MO") == 0)
      q->type = DATA_MO;
    else if (strcmp(v, "MT") == 0)
      q->type = DATA_MT;
    else
      add_error(q, "messageType", "messageType '%s' is not valid: use MO or MT", echo(v, e));
    break;
  case P_START:
  case P_END:
    if (!data_parse_date(v, p == P_START ? &q->start : &q->end))
      add_error(q, param_names[p], "%s '%s' is not a valid date: use YYYY-MM-DDTHH:MM:SS",
                param_names[p], echo(v, e));
    else if (p == P_START)
      q->has_start = 1;
    else
      q->has_end = 1;
    break;
  case P_SIZE:
    if (parse_count(v, &n) && n >= 1 && n <= QUERY_MAX_PAGE_SIZE)
      q->page_size = n;
    else
      add_error(q, "pageSize", "pageSize '%s' is not valid: use an integer from 1 to %d",
                echo(v, e), QUERY_MAX_PAGE_SIZE);
    break;
  case P_PAGE:
    if (parse_count(v, &n) && n >= 1)
      q->page = n;
    else
      add_error(q, "page",
                "page '%s' is not valid: use an integer of at "
                "least 1",
                echo(v, e));
    break;
  }
}

/* The vendor's date traps, on a syntactically valid request. */
static void apply_window(struct query *q, time_t now) {
  char a[20], b[20];
  time_t today = now - (time_t)(((now % 86400) + 86400) % 86400);
  if (q->has_start) data_format_date(q->start, a);
  if (q->has_end) data_format_date(q->end, b);
  if (q->has_start && now - q->start > QUERY_YEAR) {
    add_error(q, "startDate",
              "startDate '%s' is more than one year ago: older messages are "
              "available from Client Support",
              a);
    return;
  }
  if (q->has_start && q->has_end && q->start > q->end) {
    add_error(q, "startDate", "startDate '%s' is after endDate '%s'", a, b);
    return;
  }
  if (q->has_start && q->has_end && q->end - q->start > QUERY_YEAR) {
    add_error(q, "endDate",
              "the window from startDate '%s' to endDate '%s' is longer than "
              "one year (365 days): split it into shorter windows",
              a, b);
    return;
  }
  if (!q->has_start && !q->has_end) { /* the "today only" trap */
    q->lo = today;
    q->hi = now;
  } else if (!q->has_start) { /* up to a year back */
    q->lo = now - 365L * 86400L;
    q->hi = q->end;
  } else {
    q->lo = q->start;
    q->hi = q->has_end ? q->end : (time_t)LONG_MAX;
  }
}

int query_parse(struct query *q, const char *raw, time_t now) {
  int seen[N_PARAMS] = {0};
  int oom = 0;
  char e[MAX_ECHO + 1];
  const char *seg = raw;
  memset(q, 0, sizeof *q);
  q->page_size = QUERY_DEFAULT_PAGE_SIZE;
  q->page = 1;
  while (raw && *raw && seg) {
    const char *amp = strchr(seg, '&');
    size_t n = amp ? (size_t)(amp - seg) : strlen(seg);
    const char *eq = memchr(seg, '=', n);
    size_t kn = eq ? (size_t)(eq - seg) : n;
    char *k = NULL, *v = NULL;
    int p;
    if (n == 0) {
      add_error(q, NULL,
                "the query string has an empty parameter (an '&' "
                "too many)");
      goto next;
    }
    k = decode(seg, kn, &oom);
    v = eq ? decode(eq + 1, n - kn - 1, &oom) : strdup("");
    if (k == NULL || v == NULL) {
      char raw_seg[MAX_ECHO + 1];
      snprintf(raw_seg, sizeof raw_seg, "%.*s", (int)(n < MAX_ECHO ? n : MAX_ECHO), seg);
      if (!oom) add_error(q, NULL, "parameter '%s' has an invalid percent-encoding", raw_seg);
      goto next;
    }
    for (p = 0; p < N_PARAMS && strcmp(k, param_names[p]) != 0; p++) {
    }
    if (p == N_PARAMS) {
      add_error(q, k,
                "unknown parameter '%s': the parameters are messageType, "
                "startDate, endDate, pageSize",
                echo(k, e));
    } else if (seen[p]++) {
      add_error(q, k, "parameter '%s' is given more than once", k);
    } else if (*v == 0) {
      add_error(q, k, "parameter '%s' has an empty value", k);
    } else {
      check_value(q, p, v);
    }
    if (p != P_PAGE) { /* nextPageUrl repeats all but page, as sent */
      if (q->rest.n) buf_putc(&q->rest, '&');
      buf_append(&q->rest, seg, n);
    }
  next:
    free(k);
    free(v);
    seg = amp ? amp + 1 : NULL;
  }
  if (oom || q->rest.oom) {
    add_error(q, NULL, "out of memory");
    return 0;
  }
  if (q->n_errors == 0) apply_window(q, now);
  return q->n_errors == 0;
}

void query_free(struct query *q) {
  int i;
  for (i = 0; i < q->n_errors; i++) {
    free(q->errors[i]);
    free(q->error_fields[i]);
  }
  q->n_errors = 0;
  buf_free(&q->rest);
}
