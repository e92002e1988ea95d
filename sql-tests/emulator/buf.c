/*
** buf.c: the growable buffer and JSON string writer declared in buf.h.
**
** buf_json_string writes a JSON string literal.  Non-ASCII text is kept as
** raw UTF-8 (what a real server sends, and what a client's parser must
** handle), control characters are escaped, and any byte sequence that is not
** valid UTF-8 (it can only come from a client's query string echoed in an
** error message) becomes U+FFFD so every body stays valid JSON.
*/
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int buf_reserve(struct buf *b, size_t extra) {
  size_t need, cap;
  char *z;
  if (b->oom) return 0;
  need = b->n + extra + 1; /* room for the NUL */
  if (need <= b->cap) return 1;
  cap = b->cap ? b->cap : 256;
  while (cap < need)
    cap *= 2;
  z = realloc(b->z, cap);
  if (z == NULL) {
    b->oom = 1;
    return 0;
  }
  b->z = z;
  b->cap = cap;
  return 1;
}

void buf_append(struct buf *b, const char *z, size_t n) {
  if (!buf_reserve(b, n)) return;
  memcpy(b->z + b->n, z, n);
  b->n += n;
  b->z[b->n] = 0;
}

void buf_puts(struct buf *b, const char *z) {
  buf_append(b, z, strlen(z));
}

void buf_putc(struct buf *b, char c) {
  buf_append(b, &c, 1);
}

void buf_printf(struct buf *b, const char *fmt, ...) {
  va_list ap;
  int n;
  char small[256];
  va_start(ap, fmt);
  n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->oom = 1;
    return;
  }
  if ((size_t)n < sizeof small) {
    buf_append(b, small, (size_t)n);
    return;
  }
  if (!buf_reserve(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->z + b->n, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}

/* Length of the valid UTF-8 sequence at z (1-4), or 0 if it is not one.
** Overlong forms and surrogates are rejected, as a strict JSON parser
** would reject them. */
static int utf8_length(const unsigned char *z) {
  unsigned c = z[0];
  int n, i;
  unsigned cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4, cp = c & 0x07;
  else
    return 0;
  for (i = 1; i < n; i++) {
    if ((z[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (z[i] & 0x3F);
  }
  if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return n;
}

void buf_json_string(struct buf *b, const char *z) {
  const unsigned char *p = (const unsigned char *)z;
  size_t run = 0; /* bytes at p[0..run) that need no escaping */
  buf_putc(b, '"');
  for (;;) {
    unsigned c = p[run];
    int n;
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      run++;
      continue;
    }
    if (c >= 0x80 && (n = utf8_length(p + run)) > 0) {
      run += (size_t)n;
      continue;
    }
    buf_append(b, (const char *)p, run);
    p += run;
    run = 0;
    if (c == 0) break;
    switch (c) {
    case '"':
      buf_append(b, "\\\"", 2);
      break;
    case '\\':
      buf_append(b, "\\\\", 2);
      break;
    case '\n':
      buf_append(b, "\\n", 2);
      break;
    case '\r':
      buf_append(b, "\\r", 2);
      break;
    case '\t':
      buf_append(b, "\\t", 2);
      break;
    case '\b':
      buf_append(b, "\\b", 2);
      break;
    case '\f':
      buf_append(b, "\\f", 2);
      break;
    default:
      if (c < 0x20)
        buf_printf(b, "\\u%04x", c);
      else
        buf_append(b, "\xEF\xBF\xBD", 3); /* invalid UTF-8 byte */
    }
    p++;
  }
  buf_putc(b, '"');
}

void buf_free(struct buf *b) {
  free(b->z);
  b->z = NULL;
  b->n = b->cap = 0;
  b->oom = 0;
}
