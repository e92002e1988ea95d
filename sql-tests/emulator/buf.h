/*
** buf.h: a growable byte buffer and a JSON string writer for the SMS export
** API emulator.
**
** Every body the emulator sends is plain text built by appending, so one
** small buffer type serves the data generator (pre-rendered messages) and the
** HTTP side (envelopes, error bodies, URLs).  A buffer that failed to grow
** stays failed: callers test buf.oom once at the end instead of after every
** append.
**
** Usage:
**   struct buf b = BUF_INIT;
**   buf_append(&b, "{\"x\":", 5);
**   buf_json_string(&b, "a \"quoted\" value");
**   buf_putc(&b, '}');
**   if (b.oom) ...;  then use b.z / b.n and free(b.z), or take b.z over.
*/
#ifndef SMS_EMU_BUF_H
#define SMS_EMU_BUF_H

#include <stddef.h>

struct buf {
  char *z;    /* the bytes, NUL-terminated when n > 0 and !oom */
  size_t n;   /* bytes used, not counting the NUL */
  size_t cap; /* bytes allocated */
  int oom;    /* set once an allocation failed; appends then do nothing */
};

#define BUF_INIT                                                                               \
  { 0, 0, 0, 0 }

int buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const char *z, size_t n);
void buf_puts(struct buf *b, const char *z);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_json_string(struct buf *b, const char *z);
void buf_free(struct buf *b);

#endif /* SMS_EMU_BUF_H */
