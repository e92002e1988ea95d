/*
** life.h: the life of an SMS program (--life): subscribers whose numbers
** recur, conversations, keywords and their confirmations, campaign blasts,
** generated as a pure function of (key, absolute time) so that a restarted
** emulator shows the same past and a later now the same messages plus newer
** ones.  data.c renders what it returns like any other message.
**
** Usage:
**   struct life_config c = {key, 20000, now};
**   struct life_msg *a;
**   long n = life_generate(&c, &a);     -1 on out-of-memory; free(a)
*/
#ifndef SMS_EMU_LIFE_H
#define SMS_EMU_LIFE_H

#include <stdint.h>
#include <time.h>

struct life_config {
  uint64_t key;  /* the program's key: seed and program id, never the time */
  long per_year; /* --messages: about this many messages in a year */
  time_t now;    /* messages dated in (now - 365 days, now] are returned */
};

/* One message of a program's life, in the order generated (by day). */
struct life_msg {
  time_t date;        /* UTC seconds */
  uint64_t id;        /* identity: (key, day, index in the day), for per-message choices */
  uint64_t number;    /* the subscriber's mobile number */
  const char *body;   /* body text */
  const char *status; /* deliveryStatus */
  int mo;             /* 1 for MO (received), 0 for MT (sent) */
  int campaign;       /* 0: the program's keyword campaign; k > 0: the k-th blast campaign */
};

long life_generate(const struct life_config *c, struct life_msg **out);

#endif /* SMS_EMU_LIFE_H */
