/*
** rng.h: the emulator's deterministic random streams, shared by the two
** data generators (data.c: the fixed-count test data; life.c: the life of a
** program over absolute time).
**
** A stream is a 64-bit state; mix(key, v) derives an unrelated stream from a
** key and a value, so every message (or every day of a life) has its own
** stream and does not depend on how many came before it.  Static inline:
** each file takes what it uses, without a library to link.
*/
#ifndef SMS_EMU_RNG_H
#define SMS_EMU_RNG_H

#include <stdint.h>

/* One weighted choice of a table; a table ends with weight 0. */
struct pick {
  int weight;    /* relative frequency */
  const char *z; /* the value; NULL stands for JSON null */
};

/* splitmix64: small, fast, and good enough that neighbouring keys give
** unrelated streams. */
static inline uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static inline uint64_t mix(uint64_t h, uint64_t v) {
  uint64_t s = h ^ (v * 0xD6E8FEB86659FD93ULL);
  return splitmix64(&s);
}

static inline uint64_t rnd(uint64_t *s, uint64_t n) {
  return splitmix64(s) % n;
}

/* The index of a weighted choice in t. */
static inline int pick_index(uint64_t *s, const struct pick *t) {
  int total = 0, i, r;
  for (i = 0; t[i].weight; i++)
    total += t[i].weight;
  r = (int)rnd(s, (uint64_t)total);
  for (i = 0; r >= t[i].weight; i++)
    r -= t[i].weight;
  return i;
}

static inline const char *pick(uint64_t *s, const struct pick *t) {
  return t[pick_index(s, t)].z;
}

/* A mobile number of 10 to 13 digits: US without and with the country code,
** UK and German mobiles. */
static inline uint64_t rng_number(uint64_t *s) {
  uint64_t r = rnd(s, 100);
  uint64_t tail = rnd(s, 1000000000ULL);
  if (r < 20) return (2 + rnd(s, 8)) * 1000000000ULL + tail; /* 10 digits */
  if (r < 80) return 10000000000ULL + (2 + rnd(s, 8)) * 1000000000ULL + tail;
  if (r < 90) return 447000000000ULL + tail; /* 12 digits */
  return 4915000000000ULL + tail;            /* 13 digits */
}

#endif /* SMS_EMU_RNG_H */
