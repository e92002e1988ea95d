/*
** fuzz_guard.h: the fuzz input, copied so that its last byte sits just before a page the
** process may not touch (PROT_NONE).
**
** AddressSanitizer sees the reads of the code compiled with it (ext/sms_page.c,
** ext/sms_window.c), but not those inside Debian's libcjson, which is not instrumented. A
** parser that reads one byte past the length it was given then hits the guard page and
** the fuzzer reports a SEGV, whichever library did it.
*/
#ifndef FUZZ_GUARD_H
#define FUZZ_GUARD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_GUARD_ROOM (1u << 20) /* larger inputs are used where libFuzzer put them */

static const char *fuzz_guarded_copy(const uint8_t *data, size_t size) {
  static char *zRegion = 0;
  static size_t nPage = 0;
  if (zRegion == 0) {
    nPage = (size_t)sysconf(_SC_PAGESIZE);
    void *p = mmap(0, FUZZ_GUARD_ROOM + nPage, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return (const char *)data;
    zRegion = p;
    mprotect(zRegion + FUZZ_GUARD_ROOM, nPage, PROT_NONE);
  }
  if (size > FUZZ_GUARD_ROOM) return (const char *)data;
  char *z = zRegion + FUZZ_GUARD_ROOM - size;
  if (size) memcpy(z, data, size);
  return z;
}

#endif /* FUZZ_GUARD_H */
