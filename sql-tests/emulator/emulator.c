/*
** emulator.c: an HTTP server that plays the vendor's SMS "Export messages"
** REST API, for the tests, the demo and the benchmark of sms_export, and for
** trying the extension without vendor credentials.
**
** It serves GET /api/messages/program/{id} on 127.0.0.1 with HTTP Basic
** auth, the vendor's query parameters and traps (see query.c), paging by
** nextPageUrl, gzip, and deterministic data (see data.c).  Faults can be
** injected on every K-th API request: 500, 503, 429 with Retry-After, a
** connection reset mid-body, a truncated body, a body that is not JSON, and
** a request that is never answered.
**
** Usage:
**   sms-emulator --port 0 --port-file /tmp/port --log /tmp/requests.log
**   sms-emulator --dump 4711 > all-messages.json
**   sms-emulator --help            for every flag
**
** Each connection gets its own thread (libmicrohttpd's thread-per-connection
** mode) so that --latency-ms and the hang fault delay only their own
** request.  Every request is logged, and the log line written, before its
** response is queued, so a test that reads the log after an answer never
** races the server.
*/
#include "buf.h"
#include "data.h"
#include "query.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define PROGRAM_PATH "/api/messages/program/"
#define REALM "sms-export"
#define JSON_TYPE "application/json; charset=utf-8"

enum fault {
  FAULT_NONE,
  FAULT_500,
  FAULT_503,
  FAULT_429,
  FAULT_RESET,
  FAULT_TRUNCATE,
  FAULT_HANG,
  FAULT_MALFORMED
};
static const char *const fault_names[] = {"",      "500",      "503",  "429",
                                          "reset", "truncate", "hang", "malformed"};

enum shape { SHAPE_ENVELOPE, SHAPE_TOP_NEXT, SHAPE_BARE };
static const char *const shape_names[] = {"envelope", "top-next", "bare"};

enum auth { AUTH_NONE, AUTH_BAD, AUTH_OK };
static const char *const auth_names[] = {"none", "bad", "ok"};

/* The command line. */
struct options {
  long port;               /* --port: 0 lets the kernel choose */
  const char *port_file;   /* --port-file, or NULL */
  const char *user;        /* --user */
  const char *password;    /* --password */
  struct data_config data; /* --programs --messages --seed --now --quirks */
  const char *log_file;    /* --log, or NULL */
  long latency_ms;         /* --latency-ms */
  int fault;               /* --fault, an enum fault */
  long fault_every;        /* --fault-every */
  const char *retry_after; /* --retry-after */
  const char *public_url;  /* --public-url, or NULL for the listen address */
  int shape;               /* --shape, an enum shape */
  long dump;               /* --dump program id, or 0 */
  int log_connections;     /* --log-connections */
  int log_times;           /* --log-times */
  int clock_runs;          /* --clock-runs */
  long clock_offset;       /* --clock-offset: seconds from the host's clock */
  int clock_offset_given;  /* --clock-offset was given */
  long out_of_order;       /* --out-of-order: 1 message in K of a result comes last */
  const char *tls_cert;    /* --tls-cert: PEM certificate (chain) file, or NULL: plain http */
  const char *tls_key;     /* --tls-key: its PEM private key file */
  const char *host;        /* --host: the name to listen on and to put in URLs, or NULL */
};

/* One HTTP request, from the URI callback to the completion callback. */
struct request {
  char *uri;    /* the request target exactly as received */
  int seen;     /* the access handler has been called once */
  int answered; /* a response was queued (later calls only drain uploads) */
};

/* A response before it becomes an MHD_Response. */
struct reply {
  unsigned status;    /* HTTP status */
  struct buf body;    /* the body, uncompressed */
  const char *header; /* one extra header name, or NULL */
  const char *value;  /* its value */
};

/* What the reset fault sends: the first `limit` bytes of a longer body. */
struct cut_body {
  char *z;      /* the full body */
  size_t limit; /* bytes sent before the connection is dropped */
};

static struct options opt = {
    .user = "demo",
    .password = "demo-secret",
    .data = {.seed = 1, .n_programs = 3, .n_messages = 1000},
    .fault_every = 1,
    .retry_after = "1",
};
static char *base_url;                 /* public base of nextPageUrl, no '/' */
static int log_fd = -1;                /* --log, opened O_APPEND */
static unsigned long api_requests;     /* requests to /api/ so far (atomic) */
static volatile sig_atomic_t stopping; /* set on SIGTERM/SIGINT */

static void usage(FILE *f) {
  fprintf(f, "usage: sms-emulator [flags]\n"
             "  --port N               listen on 127.0.0.1:N (0 = a free port; "
             "default 0)\n"
             "  --port-file FILE       write the port (and a newline) to FILE once "
             "listening\n"
             "  --user U               Basic-auth user (default demo)\n"
             "  --password P           Basic-auth password (default demo-secret)\n"
             "  --programs N           programs 4711..4711+N-1 (default 3)\n"
             "  --messages M           messages per program (default 1000); with --life about "
             "M a year\n"
             "  --seed S               seed of the deterministic data (default 1)\n"
             "  --now YYYY-MM-DDTHH:MM:SS  the server's now, UTC (default: the "
             "clock)\n"
             "  --log FILE             append 'METHOD PATH?QUERY auth=ok|bad|none' "
             "per request\n"
             "  --log-connections      end each log line with conn=N, N numbering the "
             "TCP connections\n"
             "  --log-times            end each log line with t=SECONDS.MICROSECONDS, "
             "when it came\n"
             "  --latency-ms N         answer every API request N ms after it came\n"
             "  --clock-offset S       the server's clock is the host's plus S seconds "
             "(negative: behind), running; the data are made at its start unless "
             "--now gives their now\n"
             "  --clock-runs           now advances from --now as time passes (the data "
             "stays)\n"
             "  --fault KIND           500, 503, 429, reset, truncate, hang or "
             "malformed\n"
             "  --fault-every K        the fault hits every K-th API request (default "
             "1)\n"
             "  --retry-after V        Retry-After value sent with 429 (default 1)\n"
             "  --public-url URL       base of nextPageUrl (default "
             "http://127.0.0.1:PORT/api)\n"
             "  --tls-cert FILE        serve https with this PEM certificate (the server's "
             "first,\n"
             "                         then any intermediate CAs); needs --tls-key\n"
             "  --tls-key FILE         the certificate's PEM private key\n"
             "  --host NAME            listen on the loopback address NAME resolves to "
             "(127.x.y.z),\n"
             "                         and say NAME in URLs: a name a certificate can "
             "carry\n"
             "  --shape S              envelope (default), top-next or bare\n"
             "  --quirks               tolerant-reader data variations\n"
             "  --life                 a program's life: subscribers who come back, "
             "keywords answered,\n"
             "                         blasts; dated in absolute time, so a restart shows "
             "the same past\n"
             "  --anchor YYYY-MM-DDTHH:MM:SS  date the data from this fixed time (the year "
             "before\n"
             "                         and the year after it), not --now: a later --now "
             "shows the\n"
             "                         same messages, older, and those dated since\n"
             "  --late-minutes M       1 message in 5 is recorded 1 to M minutes after its "
             "date\n"
             "  --report-minutes M     a Delivered or Failed MT says Sent until its report, 1 "
             "to M\n"
             "                         minutes after its date\n"
             "  --doubles              1 message in 25 is sent twice (an MT copy has its own "
             "status)\n"
             "  --undated K            1 message in K is shown without its date (still "
             "filtered on it)\n"
             "  --bunched P            P%% of the messages fall in one fortnight, 100 days "
             "ago\n"
             "  --out-of-order K       1 message in K of a request's result comes after all "
             "the\n"
             "                         others, on its last pages (the API states no order)\n"
             "  --dump PROGRAM         print the program's messages as a JSON array; "
             "exit\n"
             "  --help                 this text\n");
}

static void die_usage(const char *fmt, const char *arg) {
  fprintf(stderr, "sms-emulator: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n(sms-emulator --help lists the flags)\n");
  exit(2);
}

/* Strict decimal in [min, max]. */
static long number_arg(const char *flag, const char *z, long min, long max) {
  char *end;
  long v;
  if (*z < '0' || *z > '9') die_usage("%s wants a number", flag);
  errno = 0;
  v = strtol(z, &end, 10);
  if (errno || *end || v < min || v > max) {
    fprintf(stderr, "sms-emulator: %s %s: want a number from %ld to %ld\n", flag, z, min, max);
    exit(2);
  }
  return v;
}

static int name_arg(const char *flag, const char *z, const char *const *names, int n) {
  int i;
  for (i = 0; i < n; i++)
    if (names[i][0] && strcmp(z, names[i]) == 0) return i;
  fprintf(stderr, "sms-emulator: %s %s: want one of", flag, z);
  for (i = 0; i < n; i++)
    if (names[i][0]) fprintf(stderr, " %s", names[i]);
  fprintf(stderr, "\n");
  exit(2);
}

/* The flags that take a value, each followed by a space. */
#define VALUE_FLAGS                                                                            \
  "--port --port-file --user --password --programs --messages --seed "                         \
  "--now --log --latency-ms --fault --fault-every --retry-after "                              \
  "--public-url --shape --dump --anchor --late-minutes --report-minutes --clock-offset "       \
  "--undated --bunched --out-of-order --tls-cert --tls-key --host "

static void parse_args(int argc, char **argv) {
  int i, now_given = 0;
  for (i = 1; i < argc; i++) {
    char *a = argv[i], *v = NULL, *eq;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      exit(0);
    }
    if (strcmp(a, "--quirks") == 0) {
      opt.data.quirks = 1;
      continue;
    }
    if (strcmp(a, "--log-connections") == 0) {
      opt.log_connections = 1;
      continue;
    }
    if (strcmp(a, "--log-times") == 0) {
      opt.log_times = 1;
      continue;
    }
    if (strcmp(a, "--clock-runs") == 0) {
      opt.clock_runs = 1;
      continue;
    }
    if (strcmp(a, "--doubles") == 0) {
      opt.data.doubles = 1;
      continue;
    }
    if (strcmp(a, "--life") == 0) {
      opt.data.life = 1;
      continue;
    }
    if (strncmp(a, "--", 2) != 0) die_usage("unexpected argument '%s'", a);
    if ((eq = strchr(a, '=')) != NULL) { /* --flag=value */
      *eq = 0;
      v = eq + 1;
    }
    if (!strstr(VALUE_FLAGS, a) || strstr(VALUE_FLAGS, a)[strlen(a)] != ' ')
      die_usage("unknown flag '%s'", a);
    if (v) {
    } else if (i + 1 < argc) {
      v = argv[++i];
    } else {
      die_usage("%s needs a value", a);
    }
    if (strcmp(a, "--port") == 0)
      opt.port = number_arg(a, v, 0, 65535);
    else if (strcmp(a, "--port-file") == 0)
      opt.port_file = v;
    else if (strcmp(a, "--user") == 0)
      opt.user = v;
    else if (strcmp(a, "--password") == 0)
      opt.password = v;
    else if (strcmp(a, "--programs") == 0)
      opt.data.n_programs = number_arg(a, v, 1, DATA_MAX_PROGRAMS);
    else if (strcmp(a, "--messages") == 0)
      opt.data.n_messages = number_arg(a, v, 0, DATA_MAX_MESSAGES);
    else if (strcmp(a, "--seed") == 0) {
      char *end;
      if (*v < '0' || *v > '9') die_usage("--seed %s: want a number", v);
      errno = 0;
      opt.data.seed = strtoull(v, &end, 10);
      if (errno || *end) die_usage("--seed %s: want a number", v);
    } else if (strcmp(a, "--now") == 0) {
      time_t t;
      if (!data_parse_date(v, &t) || strncmp(v, "1971", 4) < 0)
        die_usage("--now %s: want YYYY-MM-DDTHH:MM:SS, a real date after "
                  "1970",
                  v);
      opt.data.now = t;
      now_given = 1;
    } else if (strcmp(a, "--anchor") == 0) {
      time_t t;
      if (!data_parse_date(v, &t) || strncmp(v, "1972", 4) < 0)
        die_usage("--anchor %s: want YYYY-MM-DDTHH:MM:SS, a real date after 1971", v);
      opt.data.anchor = t;
    } else if (strcmp(a, "--late-minutes") == 0)
      opt.data.late_min = number_arg(a, v, 0, 525600);
    else if (strcmp(a, "--report-minutes") == 0)
      opt.data.report_min = number_arg(a, v, 0, 525600);
    else if (strcmp(a, "--undated") == 0)
      opt.data.undated = number_arg(a, v, 0, 1000000);
    else if (strcmp(a, "--bunched") == 0)
      opt.data.bunched = number_arg(a, v, 0, 100);
    else if (strcmp(a, "--out-of-order") == 0)
      opt.out_of_order = number_arg(a, v, 0, 1000000);
    else if (strcmp(a, "--log") == 0)
      opt.log_file = v;
    else if (strcmp(a, "--latency-ms") == 0)
      opt.latency_ms = number_arg(a, v, 0, 3600000);
    else if (strcmp(a, "--fault") == 0)
      opt.fault = name_arg(a, v, fault_names, 8);
    else if (strcmp(a, "--fault-every") == 0)
      opt.fault_every = number_arg(a, v, 1, 1000000000);
    else if (strcmp(a, "--retry-after") == 0) {
      if (!*v || strpbrk(v, "\r\n")) die_usage("--retry-after %s: bad value", v);
      opt.retry_after = v;
    } else if (strcmp(a, "--public-url") == 0) {
      if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
        die_usage("--public-url %s: want an http:// or https:// URL", v);
      opt.public_url = v;
    } else if (strcmp(a, "--tls-cert") == 0)
      opt.tls_cert = v;
    else if (strcmp(a, "--tls-key") == 0)
      opt.tls_key = v;
    else if (strcmp(a, "--host") == 0) {
      if (!*v || strlen(v) > 253 || strpbrk(v, "/:@?#[] "))
        die_usage("--host %s: want a host name", v);
      opt.host = v;
    } else if (strcmp(a, "--shape") == 0)
      opt.shape = name_arg(a, v, shape_names, 3);
    else if (strcmp(a, "--dump") == 0)
      opt.dump = number_arg(a, v, 1, 1000000000);
    else if (strcmp(a, "--clock-offset") == 0) {
      char *end;
      errno = 0;
      opt.clock_offset = strtol(v, &end, 10);
      if (!*v || errno || *end || opt.clock_offset > 36500L * 86400 ||
          opt.clock_offset < -36500L * 86400)
        die_usage("--clock-offset %s: want a number of seconds, like 600 or -600", v);
      opt.clock_offset_given = 1;
    } else
      die_usage("unknown flag '%s'", a);
  }
  if (opt.clock_offset_given && opt.clock_runs)
    die_usage("%s: --clock-runs runs from --now; --clock-offset runs from the host's clock, "
              "give one of them",
              "--clock-offset");
  /* A life is already still in absolute time; the flags that move data around are for
  ** the test data. */
  if (opt.data.life && (opt.data.anchor || opt.data.late_min || opt.data.report_min ||
                        opt.data.doubles || opt.data.bunched))
    die_usage("%s: a life is dated in absolute time already; --anchor, --late-minutes, "
              "--report-minutes, --doubles and --bunched are for the test data",
              "--life");
  if (!now_given) opt.data.now = time(NULL) + opt.clock_offset;
}

static long long monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long started_ms; /* when the server started, for --clock-runs */

/* The server's now: --now, plus the time since the start with --clock-runs, or the host's
** clock plus --clock-offset. The data were made once at --now; only the date rules (the
** one-year limit, "today") and the Date header move. */
static time_t server_now(void) {
  if (opt.clock_offset_given) return time(NULL) + opt.clock_offset;
  if (!opt.clock_runs) return opt.data.now;
  return opt.data.now + (time_t)((monotonic_ms() - started_ms) / 1000);
}

/* One write(2) per line on an O_APPEND file: concurrent requests never
** interleave within a line, and a test may truncate the file at any time. */
static void log_request(const char *method, const char *uri, int auth, unsigned long conn) {
  struct buf b = BUF_INIT;
  if (log_fd < 0) return;
  buf_printf(&b, "%s %s auth=%s", method, uri, auth_names[auth]);
  if (opt.log_connections) buf_printf(&b, " conn=%lu", conn);
  if (opt.log_times) { /* the wall clock, so that tests can also compare with their own */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    buf_printf(&b, " t=%lld.%06ld", (long long)ts.tv_sec, ts.tv_nsec / 1000);
  }
  buf_putc(&b, '\n');
  if (!b.oom && write(log_fd, b.z, b.n) < 0) {
    /* nothing sensible to do: the test reading the log will notice */
  }
  buf_free(&b);
}

static int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Decode standard base64 (padding optional) into out; -1 if invalid. */
static long base64_decode(const char *z, char *out, size_t cap) {
  unsigned acc = 0;
  int bits = 0;
  size_t n = 0;
  for (; *z && *z != '='; z++) {
    int v = base64_value(*z);
    if (v < 0) return -1;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n + 1 >= cap) return -1;
      out[n++] = (char)((acc >> bits) & 0xFF);
    }
  }
  while (*z == '=')
    z++;
  if (*z) return -1;
  out[n] = 0;
  return (long)n;
}

static int check_auth(struct MHD_Connection *c) {
  const char *h =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  char cred[1024], want[1024];
  long n;
  if (h == NULL) return AUTH_NONE;
  if (strncasecmp(h, "Basic ", 6) != 0) return AUTH_BAD;
  for (h += 6; *h == ' '; h++) {
  }
  n = base64_decode(h, cred, sizeof cred);
  snprintf(want, sizeof want, "%s:%s", opt.user, opt.password);
  if (n < 0 || (size_t)n != strlen(want) || memcmp(cred, want, (size_t)n)) return AUTH_BAD;
  return AUTH_OK;
}

/* Does Accept-Encoding allow gzip?  Tokens are comma-separated, may carry
** ";q=", and q=0 means "not this one". */
static int accepts_gzip(struct MHD_Connection *c) {
  const char *h =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
  while (h && *h) {
    const char *end = strchr(h, ','), *semi, *q;
    size_t n, len;
    if (!end) end = h + strlen(h);
    while (h < end && (*h == ' ' || *h == '\t'))
      h++;
    semi = memchr(h, ';', (size_t)(end - h));
    n = (size_t)((semi ? semi : end) - h);
    while (n && (h[n - 1] == ' ' || h[n - 1] == '\t'))
      n--;
    len = n;
    if ((len == 4 && strncasecmp(h, "gzip", 4) == 0) ||
        (len == 6 && strncasecmp(h, "x-gzip", 6) == 0) || (len == 1 && *h == '*')) {
      q = semi ? strstr(semi, "q=") : NULL;
      if (!q || q > end || strtod(q + 2, NULL) > 0) return 1;
    }
    h = *end ? end + 1 : end;
  }
  return 0;
}

/* gzip body in place.  Returns 0 on failure (the body is then unchanged). */
static int gzip_buf(struct buf *body) {
  z_stream zs;
  struct buf out = BUF_INIT;
  int ok = 0;
  memset(&zs, 0, sizeof zs);
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return 0;
  if (!buf_reserve(&out, deflateBound(&zs, body->n) + 32)) goto done;
  zs.next_in = (Bytef *)body->z;
  zs.avail_in = (uInt)body->n;
  zs.next_out = (Bytef *)out.z;
  zs.avail_out = (uInt)(out.cap - 1);
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) goto done;
  out.n = zs.total_out;
  buf_free(body);
  *body = out;
  out.z = NULL;
  ok = 1;
done:
  deflateEnd(&zs);
  buf_free(&out);
  return ok;
}

/* The meta object of every envelope; next is a JSON literal or NULL when
** nextPageUrl goes to the top level. */
static void put_meta(struct buf *b, const struct query *q, const char *next) {
  int i, j;
  buf_puts(b, "{\"meta\":{\"attributes\":{},\"generalErrors\":[");
  for (i = 0; q && i < q->n_errors; i++) {
    if (i) buf_putc(b, ',');
    buf_json_string(b, q->errors[i]);
  }
  buf_puts(b, "],\"fieldErrors\":{");
  for (i = 0, j = 0; q && i < q->n_errors; i++) {
    int k, dup = 0;
    if (!q->error_fields[i]) continue;
    for (k = 0; k < i; k++) /* one entry per field: its first error */
      if (q->error_fields[k] && !strcmp(q->error_fields[k], q->error_fields[i])) dup = 1;
    if (dup) continue;
    if (j++) buf_putc(b, ',');
    buf_json_string(b, q->error_fields[i]);
    buf_putc(b, ':');
    buf_json_string(b, q->errors[i]);
  }
  buf_putc(b, '}');
  if (next) {
    buf_puts(b, ",\"nextPageUrl\":");
    buf_puts(b, next);
  }
  buf_putc(b, '}');
}

/* An envelope with data [] and nextPageUrl null; the errors from q, or one
** general error msg. */
static void error_reply(struct reply *r, unsigned status, const struct query *q,
                        const char *msg) {
  struct query one;
  int top = opt.shape == SHAPE_TOP_NEXT;
  if (!q) {
    memset(&one, 0, sizeof one);
    one.n_errors = 1;
    one.errors[0] = (char *)msg;
    q = &one;
  }
  r->status = status;
  buf_free(&r->body);
  put_meta(&r->body, q, top ? NULL : "null");
  if (top) buf_puts(&r->body, ",\"nextPageUrl\":null");
  buf_puts(&r->body, ",\"data\":[]}");
}

/* Parse the program id at the end of the path: digits, no leading zero. */
static long program_id(const char *path) {
  const char *z;
  long id = 0;
  if (strncmp(path, PROGRAM_PATH, strlen(PROGRAM_PATH)) != 0) return 0;
  z = path + strlen(PROGRAM_PATH);
  if (*z < '1' || *z > '9' || strlen(z) > 9) return 0;
  for (; *z; z++) {
    if (*z < '0' || *z > '9') return 0;
    id = id * 10 + (*z - '0');
  }
  return id;
}

/* --out-of-order K: the messages of a result [b, e) in the order sent, from position k on:
** first those whose place j = index - b is not a multiple of K, ascending, then those whose
** place is (j = 0, K, 2K, ...), so a scan's first pages go by date and its last ones go back.
*/
static void render_out_of_order(const struct data_program *p, int type, long b, long e,
                                long first, long last, struct buf *out) {
  long n = e - b, k_ = opt.out_of_order, f = n - (n + k_ - 1) / k_, k, j;
  for (k = first - b; k < last - b; k++) {
    j = k < f ? (k / (k_ - 1)) * k_ + k % (k_ - 1) + 1 : (k - f) * k_;
    if (k > first - b) buf_putc(out, ',');
    data_render(p, type, b + j, b + j + 1, out);
  }
}

/* A page of program `id`'s messages (query q already valid). */
static void page_reply(struct reply *r, const struct data_program *p, long id,
                       const struct query *q) {
  struct buf next = BUF_INIT, rows = BUF_INIT;
  long b, e, first, last;
  int top = opt.shape == SHAPE_TOP_NEXT, more = 0;
  data_select(p, q->type, q->lo, q->hi, &b, &e);
  if (data_dynamic()) {
    /* Only the messages recorded by now count, so a page is found by walking them. */
    int bare = opt.shape == SHAPE_BARE;
    long skip = bare ? (q->page == 1 ? 0 : LONG_MAX) : (q->page - 1) * q->page_size;
    data_render_at(p, q->type, b, e, server_now(), skip, bare ? LONG_MAX : q->page_size, &rows,
                   &more);
    first = last = e = 0;
  } else if (opt.shape == SHAPE_BARE) { /* the whole result is the only page */
    first = q->page == 1 ? b : e;
    last = e;
  } else {
    /* page < 10^9 and page_size <= 500: the product fits in a long */
    long skip = (q->page - 1) * q->page_size;
    first = skip < e - b ? b + skip : e;
    last = e - first > q->page_size ? first + q->page_size : e;
  }
  if (last < e || more) {
    struct buf url = BUF_INIT;
    buf_printf(&url, "%s/messages/program/%ld?%s%spage=%ld", base_url, id,
               q->rest.n ? q->rest.z : "", q->rest.n ? "&" : "", q->page + 1);
    buf_json_string(&next, url.z);
    buf_free(&url);
  } else {
    buf_puts(&next, "null");
  }
  r->status = MHD_HTTP_OK;
  buf_reserve(&r->body, 256 + next.n + (size_t)(last - first) * 400);
  if (opt.shape != SHAPE_BARE) {
    put_meta(&r->body, NULL, top ? NULL : next.z);
    if (top) {
      buf_puts(&r->body, ",\"nextPageUrl\":");
      buf_puts(&r->body, next.z);
    }
    buf_puts(&r->body, ",\"data\":");
  }
  buf_putc(&r->body, '[');
  if (data_dynamic())
    buf_append(&r->body, rows.z ? rows.z : "", rows.n);
  else if (opt.out_of_order > 1)
    render_out_of_order(p, q->type, b, e, first, last, &r->body);
  else
    data_render(p, q->type, first, last, &r->body);
  buf_putc(&r->body, ']');
  if (opt.shape != SHAPE_BARE) buf_putc(&r->body, '}');
  if (rows.oom) r->body.oom = 1;
  buf_free(&rows);
  buf_free(&next);
}

/* The answer the API would give without faults. */
static void normal_reply(struct reply *r, const char *method, const char *path,
                         const char *query, int auth) {
  const struct data_program *p;
  struct query q;
  long id;
  int rc;
  if (auth != AUTH_OK) {
    error_reply(r, MHD_HTTP_UNAUTHORIZED, NULL,
                auth == AUTH_NONE ? "Authentication required: use HTTP Basic "
                                    "authentication"
                                  : "Invalid username or password");
    r->header = MHD_HTTP_HEADER_WWW_AUTHENTICATE;
    r->value = "Basic realm=\"" REALM "\"";
    return;
  }
  if (strcmp(method, "GET") != 0) {
    error_reply(r, MHD_HTTP_METHOD_NOT_ALLOWED, NULL, "Method not allowed: use GET");
    r->header = MHD_HTTP_HEADER_ALLOW;
    r->value = "GET";
    return;
  }
  id = program_id(path);
  if (id == 0) {
    error_reply(r, MHD_HTTP_NOT_FOUND, NULL,
                "Not found: the API is GET /api/messages/program/{programId}");
    return;
  }
  rc = data_get(id, &p);
  if (rc == DATA_NOT_FOUND) {
    struct buf m = BUF_INIT;
    buf_printf(&m, "Program %ld does not exist", id);
    error_reply(r, MHD_HTTP_NOT_FOUND, NULL, m.z ? m.z : "not found");
    buf_free(&m);
    return;
  }
  if (rc != DATA_OK) {
    error_reply(r, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "General server exception");
    return;
  }
  if (!query_parse(&q, query, server_now()))
    error_reply(r, MHD_HTTP_BAD_REQUEST, &q, NULL);
  else
    page_reply(r, p, id, &q);
  query_free(&q);
}

static ssize_t cut_reader(void *cls, uint64_t pos, char *out, size_t max) {
  struct cut_body *c = cls;
  size_t n;
  if (pos >= c->limit) return MHD_CONTENT_READER_END_WITH_ERROR;
  n = c->limit - (size_t)pos;
  if (n > max) n = max;
  memcpy(out, c->z + pos, n);
  return (ssize_t)n;
}

static void cut_free(void *cls) {
  struct cut_body *c = cls;
  free(c->z);
  free(c);
}

/* --log-connections: each TCP connection gets the next number when it opens, kept in its
** socket context, so a test can tell reused connections from new ones. */
static unsigned long connections;

static void connection_opened(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe) {
  (void)cls, (void)c;
  if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
    unsigned long n = __atomic_add_fetch(&connections, 1, __ATOMIC_SEQ_CST);
    *socket_context = (void *)(uintptr_t)n;
  }
}

static unsigned long connection_number(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return ci ? (unsigned long)(uintptr_t)ci->socket_context : 0;
}

static void sleep_ms(long ms) {
  while (ms > 0 && !stopping) {
    long step = ms < 50 ? ms : 50; /* wake up to notice shutdown */
    struct timespec ts = {0, step * 1000000L};
    nanosleep(&ts, NULL);
    ms -= step;
  }
}

/* Date: the server's own now (not the host's), which is what a client learns the server's
** clock from. libmicrohttpd's own Date is suppressed (MHD_USE_SUPPRESS_DATE_NO_CLOCK). */
static void add_date_header(struct MHD_Response *resp) {
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t now = server_now();
  struct tm tm;
  char z[40];
  gmtime_r(&now, &tm);
  snprintf(z, sizeof z, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
           months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_DATE, z);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls) {
  struct request *req = *con_cls;
  struct reply r = {0, BUF_INIT, NULL, NULL};
  struct MHD_Response *resp = NULL;
  char *path = NULL, *query = NULL;
  int auth, fault = FAULT_NONE, gzip = 0;
  long long answer_at = 0; /* --latency-ms: when the answer may leave */
  enum MHD_Result ret = MHD_NO;
  (void)cls, (void)url, (void)version, (void)upload;

  if (req == NULL) return MHD_NO; /* the URI callback ran out of memory */
  if (!req->seen) {
    /* Answering on this first call (headers only) would make libmicrohttpd
    ** 0.9.75 close the connection after the response: no keep-alive. */
    req->seen = 1;
    return MHD_YES;
  }
  if (*upload_size != 0 || req->answered) { /* a body nobody reads */
    *upload_size = 0;
    return MHD_YES;
  }
  req->answered = 1;
  path = strdup(req->uri);
  if (path == NULL) goto done;
  if ((query = strchr(path, '?')) != NULL) *query++ = 0;
  auth = check_auth(c);
  log_request(method, req->uri, auth, connection_number(c));

  if (strncmp(path, "/api/", 5) == 0) {
    unsigned long n = __atomic_add_fetch(&api_requests, 1, __ATOMIC_SEQ_CST);
    if (opt.fault && n % (unsigned long)opt.fault_every == 0) fault = opt.fault;
    answer_at = monotonic_ms() + opt.latency_ms;
  }
  switch (fault) {
  case FAULT_HANG: /* keep the connection, never answer */
    while (!stopping)
      sleep_ms(1000);
    goto done;
  case FAULT_500:
  case FAULT_503:
    error_reply(&r, fault == FAULT_500 ? 500 : 503, NULL, "General server exception");
    break;
  case FAULT_429:
    error_reply(&r, 429, NULL, "Too many requests: retry later");
    r.header = MHD_HTTP_HEADER_RETRY_AFTER;
    r.value = opt.retry_after;
    break;
  case FAULT_MALFORMED:
    r.status = MHD_HTTP_OK;
    buf_puts(&r.body, "<html>oops</html>");
    break;
  default:
    normal_reply(&r, method, path, query, auth);
    if (fault == FAULT_TRUNCATE || fault == FAULT_RESET) r.status = MHD_HTTP_OK;
    if (fault == FAULT_TRUNCATE) r.body.n /= 2;
  }
  if (r.body.oom) goto done;
  gzip = accepts_gzip(c) && gzip_buf(&r.body);
  /* The latency is the time from request to answer, building the page included, as a
  ** remote server's work happens within the network's delay and not on this machine. */
  if (answer_at) sleep_ms((long)(answer_at - monotonic_ms()));

  if (fault == FAULT_RESET) { /* full Content-Length, half the body, close */
    struct cut_body *cut = malloc(sizeof *cut);
    if (cut == NULL) goto done;
    cut->z = r.body.z;
    cut->limit = r.body.n / 2;
    resp = MHD_create_response_from_callback(r.body.n, 64 * 1024, cut_reader, cut, cut_free);
    if (resp == NULL) {
      free(cut);
      goto done;
    }
  } else {
    resp = MHD_create_response_from_buffer(r.body.n, r.body.z, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) goto done;
  }
  r.body.z = NULL; /* the response owns it now */
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, JSON_TYPE);
  if (gzip) MHD_add_response_header(resp, "Content-Encoding", "gzip");
  MHD_add_response_header(resp, "Vary", "Accept-Encoding");
  add_date_header(resp);
  if (r.header) MHD_add_response_header(resp, r.header, r.value);
  ret = MHD_queue_response(c, r.status, resp);

done:
  if (resp) MHD_destroy_response(resp);
  buf_free(&r.body);
  free(path);
  return ret;
}

static void *uri_logged(void *cls, const char *uri, struct MHD_Connection *c) {
  struct request *req = calloc(1, sizeof *req);
  (void)cls, (void)c;
  if (req && (req->uri = strdup(uri)) == NULL) {
    free(req);
    req = NULL;
  }
  return req;
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  struct request *req = *con_cls;
  (void)cls, (void)c, (void)toe;
  if (req) free(req->uri);
  free(req);
  *con_cls = NULL;
}

/* Bind 127.0.0.1:port ourselves, so the chosen port is known for sure. */
/* Listen on the loopback: 127.0.0.1, or the 127.x.y.z address a --host name resolves to
** (never another address: the emulator is not for the network). */
static int listen_loopback(long port, long *bound) {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  uint32_t addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  if (opt.host) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(opt.host, NULL, &hints, &res);
    if (rc != 0) {
      fprintf(stderr, "sms-emulator: --host %s: %s\n", opt.host, gai_strerror(rc));
      return -1;
    }
    addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr;
    freeaddrinfo(res);
    if ((ntohl(addr) >> 24) != 127) {
      fprintf(stderr, "sms-emulator: --host %s: resolves to no loopback address\n", opt.host);
      errno = EADDRNOTAVAIL;
      return -1;
    }
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = addr;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 512) < 0 ||
      getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
    close(fd);
    return -1;
  }
  *bound = ntohs(sa.sin_port);
  return fd;
}

/* The whole of FILE as text in *b (NUL-terminated); 0 with a message when it cannot be read. */
static int read_file(const char *file, struct buf *b) {
  char chunk[4096];
  size_t n;
  FILE *f = fopen(file, "rb");
  if (f == NULL) {
    fprintf(stderr, "sms-emulator: %s: %s\n", file, strerror(errno));
    return 0;
  }
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    buf_append(b, chunk, n);
  fclose(f);
  if (!b->z) buf_puts(b, "");
  return 1;
}

/* Write the port to FILE.tmp, then rename: readers see all or nothing. */
static int write_port_file(const char *file, long port) {
  char tmp[4096];
  FILE *f;
  snprintf(tmp, sizeof tmp, "%s.tmp", file);
  f = fopen(tmp, "w");
  if (f == NULL) return 0;
  fprintf(f, "%ld\n", port);
  if (fclose(f) != 0 || rename(tmp, file) != 0) return 0;
  return 1;
}

static int dump_program(long id) {
  const struct data_program *p;
  struct buf b = BUF_INIT;
  int rc = data_get(id, &p);
  if (rc != DATA_OK) {
    fprintf(stderr, "sms-emulator: --dump %ld: %s\n", id,
            rc == DATA_NOT_FOUND ? "no such program" : "out of memory");
    return 1;
  }
  buf_putc(&b, '[');
  if (data_dynamic()) { /* what a request for the whole year sees at --now */
    long begin, end;
    int more;
    data_select(p, DATA_ALL, opt.data.now - 365L * DATA_DAY, opt.data.now, &begin, &end);
    data_render_at(p, DATA_ALL, begin, end, opt.data.now, 0, LONG_MAX, &b, &more);
  } else {
    data_render(p, DATA_ALL, 0, data_count(p, DATA_ALL), &b);
  }
  buf_puts(&b, "]\n");
  if (b.oom || fwrite(b.z, 1, b.n, stdout) != b.n || fflush(stdout) != 0) {
    buf_free(&b);
    return 1;
  }
  buf_free(&b);
  return 0;
}

int main(int argc, char **argv) {
  struct MHD_Daemon *d = NULL;
  sigset_t sigs;
  long port = 0;
  int fd = -1, sig, rc = 1;
  struct buf url = BUF_INIT, cert = BUF_INIT, key = BUF_INIT;
  struct MHD_OptionItem tls[3] = {{MHD_OPTION_END, 0, NULL}};
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                   MHD_USE_AUTO | MHD_USE_ERROR_LOG | MHD_USE_SUPPRESS_DATE_NO_CLOCK;
  char now[20];

  parse_args(argc, argv);
  started_ms = monotonic_ms();
  if (!data_init(&opt.data)) {
    fprintf(stderr, "sms-emulator: out of memory\n");
    return 1;
  }
  if (opt.dump) {
    rc = dump_program(opt.dump);
    goto done;
  }

  /* Block the stop signals in every thread MHD starts; main waits for them
  ** with sigwait, so no handler has to be async-signal-safe. */
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);

  if (opt.log_file) {
    log_fd = open(opt.log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
      fprintf(stderr, "sms-emulator: --log %s: %s\n", opt.log_file, strerror(errno));
      goto done;
    }
  }
  if (!opt.tls_cert != !opt.tls_key) {
    fprintf(stderr, "sms-emulator: --tls-cert and --tls-key go together\n");
    goto done;
  }
  if (opt.tls_cert) { /* libmicrohttpd takes them in memory, as text */
    if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
      fprintf(stderr, "sms-emulator: this libmicrohttpd has no TLS\n");
      goto done;
    }
    if (!read_file(opt.tls_cert, &cert) || !read_file(opt.tls_key, &key)) goto done;
    tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, cert.z};
    tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, key.z};
    flags |= MHD_USE_TLS;
  }
  fd = listen_loopback(opt.port, &port);
  if (fd < 0) {
    fprintf(stderr, "sms-emulator: cannot listen on %s:%ld: %s\n",
            opt.host ? opt.host : "127.0.0.1", opt.port, strerror(errno));
    goto done;
  }
  if (opt.public_url) {
    buf_puts(&url, opt.public_url);
    while (url.n && url.z[url.n - 1] == '/')
      url.z[--url.n] = 0;
  } else {
    buf_printf(&url, "%s://%s:%ld/api", opt.tls_cert ? "https" : "http",
               opt.host ? opt.host : "127.0.0.1", port);
  }
  base_url = url.z;
  d = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL, MHD_OPTION_ARRAY, tls,
                       MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_URI_LOG_CALLBACK, uri_logged,
                       NULL, MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
                       MHD_OPTION_NOTIFY_CONNECTION, connection_opened, NULL,
                       MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_END);
  if (d == NULL) {
    fprintf(stderr, "sms-emulator: cannot start the HTTP server\n");
    goto done;
  }
  fd = -1; /* MHD closes it */
  if (opt.port_file && !write_port_file(opt.port_file, port)) {
    fprintf(stderr, "sms-emulator: --port-file %s: %s\n", opt.port_file, strerror(errno));
    goto done;
  }
  data_format_date(opt.data.now, now);
  fprintf(stderr,
          "sms-emulator: serving %s://%s:%ld/api: %ld programs "
          "(%ld..%ld) x %ld messages%s, now %s, seed %llu%s%s\n",
          opt.tls_cert ? "https" : "http", opt.host ? opt.host : "127.0.0.1", port,
          opt.data.n_programs, DATA_FIRST_PROGRAM, DATA_FIRST_PROGRAM + opt.data.n_programs - 1,
          opt.data.n_messages, opt.data.life ? " a year (--life)" : "", now,
          (unsigned long long)opt.data.seed, opt.fault ? ", fault " : "",
          fault_names[opt.fault]);

  while (sigwait(&sigs, &sig) != 0) {
  }
  stopping = 1;
  /* A watchdog: should a connection thread not let go, the default action
  ** of SIGALRM still ends the process. */
  alarm(3);
  rc = 0;

done:
  if (d) MHD_stop_daemon(d);
  if (fd >= 0) close(fd);
  if (log_fd >= 0) close(log_fd);
  buf_free(&url);
  buf_free(&cert);
  if (key.z) memset(key.z, 0, key.n); /* a throwaway key, but a key */
  buf_free(&key);
  data_shutdown();
  return rc;
}
