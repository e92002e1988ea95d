/*
** life.c: the messages of a program that lives (--life), as a pure function
** of (key, absolute time); declared in life.h.
**
** Why: the test data of data.c give every message its own random number and
** date it from the emulator's now, so no number recurs (a reply time has
** nothing to join) and an emulator restarted later shows another past (an
** archive re-synced after a restart gains phantom rows).  A real program has
** subscribers who come back, answers to their keywords, and blasts.
**
** HOW IT WORKS
**
** Time is cut into UTC days counted from 1970-01-01.  Day d's events are
** drawn from a stream of their own, mix(key, d), so they are the same
** whatever now is; generating the days that can reach into (now - 365 days,
** now] and keeping the messages dated there gives exactly the life's
** messages of that year: a later now keeps every message still in its year
** and adds those dated since.  Each message's identity is (key, d, its index
** in the day), counted whether or not it is kept.
**
** A day holds:
**   - conversations: an MO from a subscriber (3 in 4 from the program's pool,
**     whose numbers recur; the rest new numbers, mostly joining), answered by
**     the program: a keyword (JOIN, STOP, HELP, START, as users type them:
**     "stop", "Stop.", ...) gets its confirmation within seconds, a question
**     a person's answer within minutes, sometimes two;
**   - on about 1 day in 10, a blast: one campaign's MT to most of the pool,
**     a second or two apart, so a few hundred MTs within minutes; some
**     recipients answer it (STOP, YES, a question) within hours, and those
**     answers are answered like any conversation.
** MTs get a delivery status from a realistic mix (mostly Delivered); MOs are
** "Received".  --messages M is a rate: about M messages a year (M / 365 a
** day), the pool about M / 80 numbers (at least 20).
*/
#include "life.h"

#include "data.h"
#include "rng.h"

#include <stdlib.h>

#define LIFE_BLAST_EVERY 10 /* a blast on 1 day in this many, on average */
#define LIFE_CONV_SHARE 0.5 /* the part of the volume that conversations make */
#define LIFE_CONV_SIZE 2.2  /* messages of a conversation, on average */

/* What the program answers to an MO. */
enum reply {
  REPLY_NONE,     /* a thumbs-up: nobody answers */
  REPLY_JOIN,     /* the welcome, at once */
  REPLY_STOP,     /* the opt-out confirmation, at once */
  REPLY_HELP,     /* the help text, at once */
  REPLY_START,    /* the opt-in again, at once */
  REPLY_YES,      /* the double opt-in confirmation, at once */
  REPLY_QUESTION, /* a person's answer, minutes later */
};

/* An MO a subscriber sends, and what it gets: pick_index over mo_texts
** indexes mo_replies. */
static const struct pick mo_texts[] = {{10, "JOIN"},
                                       {3, "Join"},
                                       {2, "join"},
                                       {1, "JOIN 🎉"},
                                       {10, "STOP"},
                                       {5, "stop"},
                                       {3, "Stop"},
                                       {1, "Stop."},
                                       {2, "Unsubscribe"},
                                       {1, "QUIT"},
                                       {5, "HELP"},
                                       {3, "help"},
                                       {1, "Help"},
                                       {4, "START"},
                                       {2, "start"},
                                       {1, "Start"},
                                       {5, "YES"},
                                       {3, "Y"},
                                       {4, "What time do you open tomorrow?"},
                                       {2, "¿Dónde está la tienda más cercana?"},
                                       {2, "Can I get the \"VIP\" deal?"},
                                       {3, "Is the offer still valid?"},
                                       {2, "Ça marche, merci ! 😀"},
                                       {3, "👍"},
                                       {0, NULL}};
static const enum reply mo_replies[] = {
    REPLY_JOIN,     REPLY_JOIN,     REPLY_JOIN,     REPLY_JOIN,     REPLY_STOP,     REPLY_STOP,
    REPLY_STOP,     REPLY_STOP,     REPLY_STOP,     REPLY_STOP,     REPLY_HELP,     REPLY_HELP,
    REPLY_HELP,     REPLY_START,    REPLY_START,    REPLY_START,    REPLY_YES,      REPLY_YES,
    REPLY_QUESTION, REPLY_QUESTION, REPLY_QUESTION, REPLY_QUESTION, REPLY_QUESTION, REPLY_NONE};
#define MO_JOIN_FIRST 0      /* mo_texts[0..3]: the JOINs, what new numbers mostly send */
#define MO_QUESTION_FIRST 18 /* mo_texts[18..]: the questions, one answer each */

/* The program's confirmation of each keyword reply (REPLY_JOIN..REPLY_YES). */
static const char *const confirmations[] = {
    NULL,
    "Thanks for joining! Msg&data rates may apply. Reply HELP for help, STOP to cancel.",
    "You have been unsubscribed and will receive no more messages.",
    "HELP: call 1-800-555-0199 or reply STOP to opt out.",
    "Welcome back! You are subscribed again. Reply STOP to cancel.",
    "You're in! Watch for your first offer soon. Reply STOP to cancel."};

/* A person's answer to question mo_texts[MO_QUESTION_FIRST + i]. */
static const char *const answers[] = {
    "We open at 9am tomorrow. See you!", "Nuestra tienda más cercana: 12 Main St, 9am-9pm.",
    "Sure! Show this text at checkout for the \"VIP\" deal.",
    "Yes, the offer is valid until Sunday.", "Merci à vous ! 😀"};
#define FOLLOW_UP "Anything else? Just reply to this message."

/* What a blast says; its campaign is drawn on its own. */
static const struct pick blast_bodies[] = {
    {5, "🎉 20% off today only: show this text at checkout."},
    {4, "Flash sale ⚡ this weekend: 2 for 1 on everything. Reply STOP to opt out."},
    {3, "Reminder: \"Doors open at 7pm\" – see you there!"},
    {2, "Weather alert ⚠️: storms expected after 6pm."},
    {3, "New arrivals are in! Reply YES for a 10% coupon."},
    {0, NULL}};

/* How a blast's recipient answers it, if at all (1 in 20 do): an index of mo_texts. */
static const int blast_answers[] = {4, 4, 4, 5, 5, 6, 7, 8, 16, 16, 17, 18, 21, 10, 23};

static const struct pick statuses[] = {{86, "Delivered"},    {3, "Sent"},    {5, "Failed"},
                                       {3, "Undeliverable"}, {3, "Pending"}, {0, NULL}};

/* When people write: weights of the 24 UTC hours. */
static const int hour_weights[24] = {1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8,
                                     8, 8, 8, 8, 8, 8, 8, 7, 6, 5, 3, 2};

/* The generation of one year of a life. */
struct life {
  const struct life_config *c; /* the program and the year */
  struct life_msg *a;          /* the messages kept so far */
  long n, cap;                 /* used and allocated entries of a */
  int oom;                     /* an allocation failed */
  uint64_t *pool;              /* the program's subscribers */
  long n_pool;                 /* entries of pool */
  long day;                    /* the day being generated */
  long k;                      /* index of the next message in the day: its identity */
};

/* Add a message (or only count it, when dated outside the year). */
static void emit(struct life *L, time_t date, uint64_t number, int mo, const char *body,
                 uint64_t *s, int campaign) {
  struct life_msg *m;
  uint64_t id = mix(mix(L->c->key, (uint64_t)L->day), (uint64_t)L->k++);
  /* drawn for a message outside the year too, so that the draws after it are the same
  ** whatever the year */
  const char *status = mo ? "Received" : pick(s, statuses);
  if (date <= L->c->now - 365 * DATA_DAY || date > L->c->now || L->oom) return;
  if (L->n == L->cap) {
    long cap = L->cap ? 2 * L->cap : 1024;
    struct life_msg *a = realloc(L->a, (size_t)cap * sizeof *a);
    if (a == NULL) {
      L->oom = 1;
      return;
    }
    L->a = a, L->cap = cap;
  }
  m = &L->a[L->n++];
  m->date = date, m->id = id, m->number = number, m->body = body;
  m->status = status, m->mo = mo, m->campaign = campaign;
}

/* Subscriber `number` sends mo_texts[t] at `at`; the program answers. */
static void conversation(struct life *L, uint64_t *s, time_t at, uint64_t number, int t) {
  enum reply r = mo_replies[t];
  emit(L, at, number, 1, mo_texts[t].z, s, 0);
  if (r == REPLY_NONE) return;
  if (r != REPLY_QUESTION) { /* an automatic confirmation, seconds later */
    emit(L, at + 2 + (time_t)rnd(s, 40), number, 0, confirmations[r], s, 0);
    return;
  }
  at += 60 + (time_t)rnd(s, 40 * 60); /* a person reads it and answers */
  emit(L, at, number, 0, answers[t - MO_QUESTION_FIRST], s, 0);
  if (rnd(s, 4) == 0) emit(L, at + 10 + (time_t)rnd(s, 110), number, 0, FOLLOW_UP, s, 0);
}

/* A time of day d when people write. */
static time_t daytime(uint64_t *s, long d) {
  int h, r, total = 0;
  for (h = 0; h < 24; h++)
    total += hour_weights[h];
  r = (int)rnd(s, (uint64_t)total), h = 0;
  while (r >= hour_weights[h])
    r -= hour_weights[h++];
  return (time_t)d * DATA_DAY + h * 3600 + (time_t)rnd(s, 3600);
}

/* One campaign's MT to most of the pool, within minutes, and the answers it gets. */
static void blast(struct life *L, uint64_t *s, long d) {
  /* two draws, in two statements: the operands of one + have no order in C */
  time_t hour = 10 + (time_t)rnd(s, 9);
  time_t at = (time_t)d * DATA_DAY + hour * 3600 + (time_t)rnd(s, 3600);
  const char *body = pick(s, blast_bodies);
  int campaign = 1 + (int)rnd(s, 1000);
  uint64_t key = splitmix64(s); /* one draw per subscriber: on the list? answers? */
  long i;
  for (i = 0; i < L->n_pool; i++) {
    uint64_t b = mix(key, (uint64_t)i);
    if (b % 100 < 15) continue; /* not on this campaign's list */
    at += (time_t)((b >> 8) % 3);
    emit(L, at, L->pool[i], 0, body, s, campaign);
  }
  for (i = 0; i < L->n_pool; i++) { /* the answers, each a conversation of its own */
    uint64_t b = mix(key, (uint64_t)i);
    if (b % 100 < 15 || (b >> 16) % 20) continue;
    conversation(L, s, at + 60 + (time_t)((b >> 24) % (3 * 3600)), L->pool[i],
                 blast_answers[(b >> 40) % (sizeof blast_answers / sizeof blast_answers[0])]);
  }
}

/* The events of day d. */
static void day(struct life *L, long d) {
  uint64_t s = mix(L->c->key, 0x444159ULL + (uint64_t)d * 0x10000ULL);
  double mean = (double)L->c->per_year * LIFE_CONV_SHARE / 365.0 / LIFE_CONV_SIZE;
  long n, i, weekday = (d + 4) % 7; /* 1970-01-01 was a Thursday: 0 is Sunday */
  L->day = d, L->k = 0;
  if (weekday == 0 || weekday == 6) mean *= 0.7;
  n = (long)(mean * (0.5 + (double)rnd(&s, 1001) / 1000.0) + 0.5);
  if (rnd(&s, LIFE_BLAST_EVERY) == 0) blast(L, &s, d);
  for (i = 0; i < n; i++) {
    time_t at = daytime(&s, d);
    int t = pick_index(&s, mo_texts);
    uint64_t number;
    if (rnd(&s, 4)) {
      number = L->pool[rnd(&s, (uint64_t)L->n_pool)];
    } else { /* someone new, who mostly joins */
      number = rng_number(&s);
      if (rnd(&s, 3)) t = MO_JOIN_FIRST + (int)rnd(&s, 4);
    }
    conversation(L, &s, at, number, t);
  }
}

long life_generate(const struct life_config *c, struct life_msg **out) {
  struct life L = {c, NULL, 0, 0, 0, NULL, 0, 0, 0};
  uint64_t s = mix(c->key, 0x504F4F4CULL); /* the pool's stream */
  long d, i, first, last;
  *out = NULL;
  if (c->per_year == 0) return 0; /* --messages 0: a program that never lived */
  L.n_pool = c->per_year / 80 < 20 ? 20 : c->per_year / 80;
  L.pool = malloc((size_t)L.n_pool * sizeof *L.pool);
  if (L.pool == NULL) return -1;
  for (i = 0; i < L.n_pool; i++)
    L.pool[i] = rng_number(&s);
  /* a day's events end within a day of its start, unless a blast to a large pool (a second
  ** or two a recipient, answers within hours) runs on: the days before the year that may
  ** reach in are generated too, so the year's oldest messages never depend on now */
  first = (long)((c->now - 365 * DATA_DAY) / DATA_DAY) - 1 -
          (long)((L.n_pool * 2 + 4 * 3600) / DATA_DAY);
  last = (long)(c->now / DATA_DAY);
  for (d = first; d <= last && !L.oom; d++)
    day(&L, d);
  free(L.pool);
  if (L.oom) {
    free(L.a);
    return -1;
  }
  *out = L.a;
  return L.n;
}
