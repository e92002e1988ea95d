/*
** data.c: deterministic message generation and the pre-rendered store
** declared in data.h.
**
** Every message j of a program is drawn from its own random stream, keyed by
** (seed, program id, now, j), so message j does not depend on how many
** messages the program has; only the ties of "same second" dates look at
** message j-1.  Messages are then sorted by (date, j), which gives the
** ascending date order with a fixed order among equal dates, and rendered
** once into one arena as "{...},{...},...,".  The arena being in date order
** makes an unfiltered page one memcpy; the MO and MT lists are arrays of
** positions into it.
**
** The content is chosen to exercise a client: all four program types, MO and
** MT (about 40/60), every delivery status, numbers of 10 to 13 digits,
** carriers and null networks, bodies with emoji, accents, quotes,
** backslashes, newlines, tabs, empty bodies, bodies of exactly 1024 bytes and
** opt-out keywords, dates at 00:00:00 and 23:59:59, shared seconds, and at
** least three messages "today".
**
** Eventual consistency, behind flags (data_dynamic): with --anchor the
** streams are keyed by the anchor instead of now and the dates spread over
** the year before the anchor and the year after it, so that every --now
** shows the same messages, only those dated by then.  --late-minutes and
** --report-minutes give each message the time it is recorded (1 in 5 some
** minutes after its date) and, for an MT whose status is Delivered or Failed,
** the time its delivery report arrives: a request sees a message only once
** it is recorded, and as "Sent" until its report.  Their choices come from a
** stream of their own, so the flags change nothing else; --doubles makes
** 1 message in 25 a copy of the one before it (a double send: the same
** second, number and body; an MT copy has its own status and report).
** Without these flags the bytes are those of before.
**
** --life replaces the test data by a program's life (life.c): messages drawn
** per UTC day from streams keyed by (seed, program id, day), never by now,
** so that a restart shows the same past.  They are rendered, sorted and
** served exactly as the test data are; only their choice differs.
*/
#include "data.h"
#include "life.h"
#include "rng.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A program's messages, built on first use. */
struct data_program {
  long id;              /* program id */
  pthread_mutex_t lock; /* serialises the one-time generation */
  int ready;            /* 1 once generated (atomic: read without lock) */
  int failed;           /* generation ran out of memory */
  long n;               /* number of messages */
  time_t *date;         /* date of message i, ascending */
  size_t *off;          /* offset of message i in arena; off[n] = size */
  char *arena;          /* the messages as JSON, each followed by ',' */
  long *pos[3];         /* pos[DATA_MO], pos[DATA_MT]: message indices */
  long count[3];        /* number of messages in each list */
  time_t *recorded;     /* data_dynamic: when message i becomes visible */
  time_t *reported;     /* data_dynamic: when its delivery report comes, or 0 */
  size_t *sent_off;     /* data_dynamic: message i as "Sent", in sent_arena */
  char *sent_arena;     /* data_dynamic: the messages before their reports */
};

/* A message while being generated, before sorting and rendering. */
struct gen_msg {
  time_t date;          /* UTC seconds */
  long j;               /* generation index: the tie-breaker of the order */
  uint64_t number;      /* the mobile number */
  const char *campaign; /* campaignName, already a JSON literal */
  const char *status;   /* deliveryStatus */
  const char *body;     /* body text (raw) */
  const char *network;  /* carrier, or NULL for null */
  int mo;               /* 1 for MO (received), 0 for MT (sent) */
  unsigned quirks;      /* QUIRK_* bits, only with --quirks */
  uint32_t message_id;  /* value of the extra messageId field */
  time_t recorded;      /* when the API shows it (--late-minutes) */
  time_t reported;      /* when its delivery report comes (--report-minutes), or 0 */
};

#define QUIRK_NUMBER_STRING 1u /* number sent as a string */
#define QUIRK_NO_NETWORK 2u    /* network key absent */
#define QUIRK_MESSAGE_ID 4u    /* unknown extra field messageId */
#define QUIRK_NO_STATUS 8u     /* deliveryStatus key absent */

static struct data_config cfg;        /* copy of the data flags */
static struct data_program *programs; /* cfg.n_programs entries */
static char long_body[1025];          /* a body of exactly 1024 bytes */

static const char *const program_types[] = {"Text to Join", "Multi-step", "Text for Info",
                                            "Text for Email"};

static const char *const program_names[] = {
    "Spring Sale",   "Pizza Palace VIP", "Weather Watch",    "Café Rewards",
    "Campus Alerts", "Héritage Club",    "Deals & Steals",   "Health \"Tips\"",
    "Job Hotline",   "Store Updates",    "Fitness Fanatics", "Pet Pals 🐾"};

static const char *const campaign_names[] = {
    "Default Campaign", "Spring Sale 2026",  "Welcome Series", "Café Loyalty ☕",
    "Back to School",   "Holiday \"Deals\"", "Store Locator",  "Flash Sale ⚡",
    "Re-engagement",    "Night Owl Offers"};
#define N_CAMPAIGN_NAMES (sizeof campaign_names / sizeof campaign_names[0])

#define LONG_BODY "\x01" /* marker replaced by long_body */

static const struct pick mo_bodies[] = {{14, "STOP"},
                                        {14, "JOIN"},
                                        {6, "HELP"},
                                        {5, "stop"},
                                        {4, "Unsubscribe"},
                                        {6, "YES"},
                                        {3, "Y"},
                                        {4, "info"},
                                        {3, "START"},
                                        {2, "Stop."},
                                        {3, "JOIN 🎉"},
                                        {3, "¿Dónde está la tienda más cercana?"},
                                        {3, "Can I get the \"VIP\" deal?"},
                                        {2, ""},
                                        {1, "C:\\Users\\me\\coupon.png"},
                                        {2, "Line one\nLine two"},
                                        {2, "code\tA17"},
                                        {3, "👍"},
                                        {3, "Ça marche, merci ! 😀"},
                                        {2, "Zoë & Björn say hi"},
                                        {5, "What time do you open tomorrow?"},
                                        {0, NULL}};

static const struct pick mt_bodies[] = {
    {20, "Thanks for joining! Msg&data rates may apply. Reply HELP for "
         "help, STOP to cancel."},
    {8, "Your verification code is 482913."},
    {8, "🎉 20% off today only: show this text at checkout."},
    {5, "Réponse reçue — merci ! Un café offert ☕"},
    {5, "Reminder: \"Doors open at 7pm\" – see you there!"},
    {2, "Your receipt: C:\\receipts\\2026\\0042.pdf"},
    {3, "Line 1\nLine 2\nLine 3"},
    {2, "Item:\tQty 2"},
    {2, ""},
    {3, LONG_BODY},
    {6, "You have been unsubscribed and will receive no more messages."},
    {4, "Weather alert ⚠️: storms expected after 6pm."},
    {2, "Straße gesperrt – Umleitung über die Hauptstraße"},
    {4, "HELP: call 1-800-555-0199 or reply STOP to opt out."},
    {0, NULL}};

static const struct pick mt_statuses[] = {{65, "Delivered"},    {12, "Sent"},
                                          {9, "Failed"},        {7, "Pending"},
                                          {7, "Undeliverable"}, {0, NULL}};

static const struct pick networks[] = {{30, "Verizon"}, {28, "AT&T"},       {22, "T-Mobile"},
                                       {6, "Sprint"},   {4, "US Cellular"}, {10, NULL},
                                       {0, NULL}};

/* Proleptic Gregorian calendar <-> days since 1970-01-01 (H. Hinnant's
** algorithms); our own so that no time zone setting can leak in. */
static long days_from_civil(long y, long m, long d) {
  long era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, long *m, long *d) {
  long era, doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

static long floor_div(long a, long b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static int two_digits(const char *z, int *v) {
  if (z[0] < '0' || z[0] > '9' || z[1] < '0' || z[1] > '9') return 0;
  *v = (z[0] - '0') * 10 + (z[1] - '0');
  return 1;
}

/* Parse exactly "YYYY-MM-DDTHH:MM:SS", a real calendar date and time. */
int data_parse_date(const char *z, time_t *t) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int yh, yl, mo, d, h, mi, s, dim;
  long y;
  if (strlen(z) != 19 || z[4] != '-' || z[7] != '-' || z[10] != 'T' || z[13] != ':' ||
      z[16] != ':')
    return 0;
  if (!two_digits(z, &yh) || !two_digits(z + 2, &yl) || !two_digits(z + 5, &mo) ||
      !two_digits(z + 8, &d) || !two_digits(z + 11, &h) || !two_digits(z + 14, &mi) ||
      !two_digits(z + 17, &s))
    return 0;
  y = yh * 100 + yl;
  if (y < 1 || mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return 0;
  dim = mdays[mo - 1];
  if (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) dim = 29;
  if (d < 1 || d > dim) return 0;
  *t = (time_t)(days_from_civil(y, mo, d) * DATA_DAY + h * 3600L + mi * 60L + s);
  return 1;
}

/* Write t as "YYYY-MM-DDTHH:MM:SS" into out (20 bytes). */
void data_format_date(time_t t, char *out) {
  long days = floor_div((long)t, DATA_DAY);
  long secs = (long)t - days * DATA_DAY;
  long y, m, d;
  long field[6], width[6] = {4, 2, 2, 2, 2, 2};
  int i, k, o = 0;
  civil_from_days(days, &y, &m, &d);
  field[0] = y, field[1] = m, field[2] = d;
  field[3] = secs / 3600, field[4] = secs / 60 % 60, field[5] = secs % 60;
  /* digit by digit: the ranges are known, and snprintf's "may truncate"
  ** warning would need a bigger buffer than the format ever uses */
  for (i = 0; i < 6; i++) {
    long v = field[i];
    for (k = (int)width[i] - 1; k >= 0; k--, v /= 10)
      out[o + k] = (char)('0' + v % 10);
    o += (int)width[i];
    if (i < 5) out[o++] = "--T::"[i];
  }
  out[o] = 0;
}

int data_init(const struct data_config *c) {
  long i;
  size_t k;
  cfg = *c;
  programs = calloc((size_t)cfg.n_programs + 1, sizeof *programs);
  if (programs == NULL) return 0;
  for (i = 0; i < cfg.n_programs; i++) {
    programs[i].id = DATA_FIRST_PROGRAM + i;
    pthread_mutex_init(&programs[i].lock, NULL);
  }
  /* Starts with an emoji and is ASCII after it, so cutting at 1024 bytes
  ** never splits a character. */
  strcpy(long_body, "\xF0\x9F\x93\xA3 Weekly digest: ");
  for (k = strlen(long_body); k < 1024; k++)
    long_body[k] = "All the news of the week in one text. "[(k - 22) % 38];
  long_body[1024] = 0;
  return 1;
}

int data_dynamic(void) {
  return cfg.anchor || cfg.late_min || cfg.report_min;
}

static void program_free(struct data_program *p) {
  free(p->recorded);
  free(p->reported);
  free(p->sent_off);
  free(p->sent_arena);
  p->recorded = p->reported = NULL;
  p->sent_off = NULL;
  p->sent_arena = NULL;
  free(p->date);
  free(p->off);
  free(p->arena);
  free(p->pos[DATA_MO]);
  free(p->pos[DATA_MT]);
  p->date = NULL;
  p->off = NULL;
  p->arena = NULL;
  p->pos[DATA_MO] = p->pos[DATA_MT] = NULL;
}

void data_shutdown(void) {
  long i;
  if (programs == NULL) return;
  for (i = 0; i < cfg.n_programs; i++) {
    program_free(&programs[i]);
    pthread_mutex_destroy(&programs[i].lock);
  }
  free(programs);
  programs = NULL;
}

static int gen_msg_cmp(const void *a, const void *b) {
  const struct gen_msg *x = a, *y = b;
  if (x->date != y->date) return x->date < y->date ? -1 : 1;
  return x->j < y->j ? -1 : x->j > y->j;
}

/* The date of message j; prev is the date of message j-1. */
static time_t gen_date(uint64_t *s, long j, time_t prev) {
  time_t now = cfg.anchor ? cfg.anchor : cfg.now;
  time_t today = (time_t)(floor_div((long)now, DATA_DAY) * DATA_DAY);
  const long span = 365 * DATA_DAY;
  if (j < 3) return today + (time_t)rnd(s, (uint64_t)(now - today) + 1);
  if (j % 20 == 7) return prev; /* several messages in the same second */
  if (j % 50 == 10) return today - (time_t)(rnd(s, 365) * DATA_DAY);
  if (j % 50 == 20) return today - (time_t)((1 + rnd(s, 364)) * DATA_DAY) + DATA_DAY - 1;
  if (cfg.anchor) return now - span + 1 + (time_t)rnd(s, (uint64_t)(2 * span));
  /* --bunched: a campaign's fortnight, from 100 days before now */
  if (cfg.bunched && (long)rnd(s, 100) < cfg.bunched)
    return now - 100 * DATA_DAY + (time_t)rnd(s, 14 * DATA_DAY);
  return now - span + 1 + (time_t)rnd(s, (uint64_t)span);
}

/* status: m->status, or "Sent" for the message before its delivery report. */
static void render_msg(struct buf *b, const struct gen_msg *m, const char *head,
                       const char *status) {
  char date[20];
  int q = cfg.quirks;
  buf_puts(b, "{\"campaignName\":");
  buf_puts(b, m->campaign);
  buf_puts(b, head); /* ,"programName":..,"programType":.. */
  buf_puts(b, m->mo ? ",\"type\":\"MO\"" : ",\"type\":\"MT\"");
  if (q && (m->quirks & QUIRK_MESSAGE_ID))
    buf_printf(b, ",\"messageId\":%u", (unsigned)m->message_id);
  if (!(q && (m->quirks & QUIRK_NO_STATUS))) {
    buf_puts(b, ",\"deliveryStatus\":");
    buf_json_string(b, status);
  }
  if (q && (m->quirks & QUIRK_NUMBER_STRING))
    buf_printf(b, ",\"number\":\"%llu\"", (unsigned long long)m->number);
  else
    buf_printf(b, ",\"number\":%llu", (unsigned long long)m->number);
  buf_puts(b, ",\"body\":");
  buf_json_string(b, m->body);
  /* --undated: a non-conforming API that filters on a date it does not show */
  if (!(cfg.undated && m->message_id % (uint32_t)cfg.undated == 0)) {
    data_format_date(m->date, date);
    buf_printf(b, ",\"date\":\"%s\"", date);
  }
  if (!(q && (m->quirks & QUIRK_NO_NETWORK))) {
    buf_puts(b, ",\"network\":");
    if (m->network)
      buf_json_string(b, m->network);
    else
      buf_puts(b, "null");
  }
  buf_puts(b, "},");
}

/* When m's delivery report arrives (--report-minutes), r choosing the delay; 0 for none. */
static time_t report_time(const struct gen_msg *m, uint64_t r) {
  if (!cfg.report_min || m->mo ||
      (strcmp(m->status, "Delivered") != 0 && strcmp(m->status, "Failed") != 0))
    return 0;
  return m->date + 60 * (time_t)(1 + r % (uint64_t)cfg.report_min);
}

/* --quirks: which tolerant-reader variations message m gets, q its own draw. */
static void set_quirks(struct gen_msg *m, uint64_t q) {
  if (q % 7 == 0) m->quirks |= QUIRK_NUMBER_STRING;
  if ((q >> 8) % 9 == 0) m->quirks |= QUIRK_NO_NETWORK;
  if ((q >> 16) % 5 == 0) m->quirks |= QUIRK_MESSAGE_ID;
  if ((q >> 24) % 11 == 0) m->quirks |= QUIRK_NO_STATUS;
  m->message_id = (uint32_t)(100000000 + (q >> 32) % 900000000);
}

/* The n messages of the test data into msgs, from the program's key. */
static void test_messages(uint64_t key, struct gen_msg *msgs, long n, char **camp,
                          long n_camp) {
  uint64_t s;
  long j;
  for (j = 0; j < n; j++) {
    struct gen_msg *m = &msgs[j];
    uint64_t q;
    s = mix(key, (uint64_t)j + 1);
    m->j = j;
    m->date = gen_date(&s, j, j ? msgs[j - 1].date : 0);
    m->mo = rnd(&s, 100) < 40;
    m->campaign = camp[rnd(&s, (uint64_t)n_camp)];
    m->status = m->mo ? "Received" : pick(&s, mt_statuses);
    m->number = rng_number(&s);
    m->body = pick(&s, m->mo ? mo_bodies : mt_bodies);
    if (strcmp(m->body, LONG_BODY) == 0) m->body = long_body;
    m->network = pick(&s, networks);
    /* A separate stream, so --quirks leaves every other choice alone. */
    set_quirks(m, mix(key ^ 0x51554952ULL, (uint64_t)j + 1));
    /* And another for eventual consistency and double sends. */
    q = mix(key ^ 0x4C415445ULL, (uint64_t)j + 1);
    m->recorded = m->date;
    if (cfg.late_min && q % 5 == 0) m->recorded += 60 * (time_t)(1 + (q >> 8) % cfg.late_min);
    m->reported = report_time(m, q >> 24);
    if (cfg.doubles && j > 0 && (q >> 40) % 25 == 0) { /* the same text, sent twice */
      *m = msgs[j - 1];
      m->j = j;
      if (!m->mo) { /* each send has its own delivery report */
        m->status = pick(&s, mt_statuses);
        m->reported = report_time(m, q >> 48);
      }
    }
  }
}

/* --life: the program's messages of the year before now (life.c), in *pmsgs.  Returns
** their number, -1 on out-of-memory.  A number keeps its carrier; the keyword
** conversations are the first campaign's, each blast one of the others'. */
static long life_messages(uint64_t key, struct gen_msg **pmsgs, char **camp, long n_camp) {
  struct life_config c = {key, cfg.n_messages, cfg.now};
  struct life_msg *a = NULL;
  struct gen_msg *msgs;
  long n = life_generate(&c, &a), j;
  if (n < 0) return -1;
  msgs = calloc((size_t)n + 1, sizeof *msgs);
  if (msgs == NULL) {
    free(a);
    return -1;
  }
  for (j = 0; j < n; j++) {
    struct gen_msg *m = &msgs[j];
    uint64_t s = mix(key ^ 0x4E4554ULL, a[j].number);
    m->j = j;
    m->date = m->recorded = a[j].date;
    m->number = a[j].number;
    m->campaign = camp[a[j].campaign ? 1 + (a[j].campaign - 1) % (n_camp - 1) : 0];
    m->status = a[j].status;
    m->body = a[j].body;
    m->network = pick(&s, networks);
    m->mo = a[j].mo;
    set_quirks(m, mix(key ^ 0x51554952ULL, a[j].id));
  }
  free(a);
  *pmsgs = msgs;
  return n;
}

/* Build program p's messages.  Returns 0 on out-of-memory. */
static int program_generate(struct data_program *p) {
  uint64_t key, s;
  struct gen_msg *msgs = NULL;
  struct buf head = BUF_INIT, arena = BUF_INIT, sent = BUF_INIT;
  struct buf camp[5] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
  char *camp_z[5];
  size_t order[N_CAMPAIGN_NAMES];
  long n = cfg.n_messages, i, n_camp;
  int ok = 0;

  /* A life is keyed by the seed and the program alone: its dates are absolute. */
  key = mix(mix(mix(cfg.seed, 0x534D53), (uint64_t)p->id),
            cfg.life ? 0x4C494645ULL : (uint64_t)(cfg.anchor ? cfg.anchor : cfg.now));
  s = mix(key, 0xFFFFFFFFULL); /* the program's own stream */

  buf_puts(&head, ",\"programName\":");
  buf_json_string(&head,
                  program_names[rnd(&s, sizeof program_names / sizeof program_names[0])]);
  buf_puts(&head, ",\"programType\":");
  buf_json_string(&head, program_types[(p->id - DATA_FIRST_PROGRAM) % 4]);
  for (i = 0; i < (long)N_CAMPAIGN_NAMES; i++)
    order[i] = (size_t)i;
  n_camp = 3 + (long)rnd(&s, 3);
  for (i = 0; i < n_camp; i++) { /* distinct names: partial shuffle */
    size_t k = (size_t)i + rnd(&s, N_CAMPAIGN_NAMES - (size_t)i), t;
    t = order[i], order[i] = order[k], order[k] = t;
    buf_json_string(&camp[i], campaign_names[order[i]]);
    camp_z[i] = camp[i].z;
  }

  if (cfg.life) {
    n = life_messages(key, &msgs, camp_z, n_camp);
    if (n < 0) goto done;
  } else {
    msgs = calloc((size_t)n + 1, sizeof *msgs);
    if (!msgs) goto done;
  }
  p->date = calloc((size_t)n + 1, sizeof *p->date);
  p->off = calloc((size_t)n + 1, sizeof *p->off);
  p->pos[DATA_MO] = calloc((size_t)n + 1, sizeof(long));
  p->pos[DATA_MT] = calloc((size_t)n + 1, sizeof(long));
  if (!p->date || !p->off || !p->pos[DATA_MO] || !p->pos[DATA_MT]) goto done;
  if (data_dynamic()) {
    p->recorded = calloc((size_t)n + 1, sizeof *p->recorded);
    p->reported = calloc((size_t)n + 1, sizeof *p->reported);
    p->sent_off = calloc((size_t)n + 1, sizeof *p->sent_off);
    if (!p->recorded || !p->reported || !p->sent_off) goto done;
  }
  if (!cfg.life) test_messages(key, msgs, n, camp_z, n_camp);
  qsort(msgs, (size_t)n, sizeof *msgs, gen_msg_cmp);

  buf_reserve(&arena, (size_t)n * 330);
  for (i = 0; i < n; i++) {
    int t = msgs[i].mo ? DATA_MO : DATA_MT;
    p->date[i] = msgs[i].date;
    p->off[i] = arena.n;
    p->pos[t][p->count[t]++] = i;
    render_msg(&arena, &msgs[i], head.z, msgs[i].status);
    if (p->recorded) {
      p->recorded[i] = msgs[i].recorded;
      p->reported[i] = msgs[i].reported;
      p->sent_off[i] = sent.n;
      if (msgs[i].reported) render_msg(&sent, &msgs[i], head.z, "Sent");
    }
  }
  p->off[n] = arena.n;
  if (p->recorded) p->sent_off[n] = sent.n;
  if (arena.oom || head.oom || sent.oom) goto done;
  p->sent_arena = sent.z;
  sent.z = NULL;
  p->arena = arena.z;
  arena.z = NULL;
  p->n = p->count[DATA_ALL] = n;
  ok = 1;

done:
  if (!ok) program_free(p);
  free(msgs);
  buf_free(&arena);
  buf_free(&sent);
  buf_free(&head);
  for (i = 0; i < 5; i++)
    buf_free(&camp[i]);
  return ok;
}

int data_get(long id, const struct data_program **pp) {
  struct data_program *p;
  int rc;
  if (id < DATA_FIRST_PROGRAM || id >= DATA_FIRST_PROGRAM + cfg.n_programs)
    return DATA_NOT_FOUND;
  p = &programs[id - DATA_FIRST_PROGRAM];
  if (!__atomic_load_n(&p->ready, __ATOMIC_ACQUIRE)) {
    pthread_mutex_lock(&p->lock);
    if (!p->ready && !p->failed) {
      if (program_generate(p))
        __atomic_store_n(&p->ready, 1, __ATOMIC_RELEASE);
      else
        p->failed = 1;
    }
    pthread_mutex_unlock(&p->lock);
  }
  rc = __atomic_load_n(&p->ready, __ATOMIC_ACQUIRE) ? DATA_OK : DATA_NOMEM;
  *pp = p;
  return rc;
}

long data_count(const struct data_program *p, int type) {
  return p->count[type];
}

static time_t date_at(const struct data_program *p, int type, long k) {
  return p->date[type == DATA_ALL ? k : p->pos[type][k]];
}

/* First position in list `type` whose date is >= t (after_equal 0) or > t
** (after_equal 1). */
static long lower_bound(const struct data_program *p, int type, time_t t, int after_equal) {
  long lo = 0, hi = p->count[type];
  while (lo < hi) {
    long mid = lo + (hi - lo) / 2;
    time_t d = date_at(p, type, mid);
    if (d < t || (after_equal && d == t))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Positions [*begin, *end) of list `type` are the messages dated in
** [lo, hi], both bounds inclusive. */
void data_select(const struct data_program *p, int type, time_t lo, time_t hi, long *begin,
                 long *end) {
  *begin = lower_bound(p, type, lo, 0);
  *end = lower_bound(p, type, hi, 1);
  if (*end < *begin) *end = *begin;
}

/* Append positions [begin, end) of list `type`, comma-separated. */
void data_render(const struct data_program *p, int type, long begin, long end,
                 struct buf *out) {
  long k;
  if (begin >= end) return;
  if (type == DATA_ALL) { /* contiguous in the arena: one copy */
    buf_append(out, p->arena + p->off[begin], p->off[end] - p->off[begin] - 1);
    return;
  }
  for (k = begin; k < end; k++) {
    long i = p->pos[type][k];
    if (k > begin) buf_putc(out, ',');
    buf_append(out, p->arena + p->off[i], p->off[i + 1] - p->off[i] - 1);
  }
}

long data_render_at(const struct data_program *p, int type, long begin, long end, time_t now,
                    long skip, long limit, struct buf *out, int *more) {
  long k, n = 0;
  *more = 0;
  for (k = begin; k < end; k++) {
    long i = type == DATA_ALL ? k : p->pos[type][k];
    if (p->recorded[i] > now) continue; /* not recorded yet, or dated after now */
    if (skip > 0) {
      skip--;
      continue;
    }
    if (n == limit) {
      *more = 1;
      break;
    }
    if (n++) buf_putc(out, ',');
    if (p->reported[i] > now)
      buf_append(out, p->sent_arena + p->sent_off[i], p->sent_off[i + 1] - p->sent_off[i] - 1);
    else
      buf_append(out, p->arena + p->off[i], p->off[i + 1] - p->off[i] - 1);
  }
  return n;
}
