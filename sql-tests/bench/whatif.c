/*
** whatif.c: an LD_PRELOAD shim the benchmark puts under the extension, to count and to try
** without changing the extension:
**
**   WHATIF_COUNT_FILE=F  at exit, write to F the number of cJSON parses the process made
**                        and the bytes parsed ("PARSES BYTES"): the benchmark divides by
**                        the pages fetched, so a page parsed twice shows (it once was:
**                        the API's error text was looked for in every 200 body).
**   WHATIF_IDENTITY=1    CURLOPT_ACCEPT_ENCODING is ignored: no gzip asked for, so the
**                        emulator does not compress and libcurl does not inflate, to
**                        measure what compression costs on loopback.
**   WHATIF_THREADS_FILE=F  at exit, write to F the CPU seconds (user + system) of the main
**                        thread (SQLite's: the shell's statement runs there), of every
**                        other thread (the scan's workers: fetch and decode) and how many
**                        of those there were ("MAIN WORKERS NTHREADS"): per-thread CPU of a
**                        process whose worker threads are gone before anyone could read
**                        /proc/PID/task.
**
** Build: gcc -O2 -shared -fPIC -o whatif.so whatif.c -ldl
** Only for measuring; never part of a build of the extension.
*/
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#define CURL_DISABLE_TYPECHECK /* curl_easy_setopt is defined here, not called */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long nParse;   /* cJSON parses (cJSON_ParseWithLength goes through the Opts one) */
static size_t nBytes; /* bytes given to them */

cJSON *cJSON_ParseWithLengthOpts(const char *z, size_t n, const char **pzEnd,
                                 cJSON_bool bNulTerminated) {
  static cJSON *(*xReal)(const char *, size_t, const char **, cJSON_bool);
  if (!xReal) {
    xReal = (cJSON * (*)(const char *, size_t, const char **, cJSON_bool))
        dlsym(RTLD_NEXT, "cJSON_ParseWithLengthOpts");
  }
  __atomic_add_fetch(&nParse, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&nBytes, n, __ATOMIC_RELAXED);
  return xReal(z, n, pzEnd, bNulTerminated);
}

static long long nWorkerNs; /* CPU time of the threads that ended, in ns */
static long nThreads;       /* threads started */

static long long thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

typedef struct Start Start;
struct Start {
  void *(*xStart)(void *); /* the thread's own start routine */
  void *pArg;              /* and its argument */
};

static void add_thread_cpu(void *pUnused) {
  (void)pUnused;
  __atomic_add_fetch(&nWorkerNs, thread_cpu_ns(), __ATOMIC_RELAXED);
}

/* Every thread runs through here, so its CPU time is added when it ends (returning or by
** pthread_exit). */
static void *start_counted(void *p) {
  Start s = *(Start *)p;
  void *pRet;
  free(p);
  pthread_cleanup_push(add_thread_cpu, 0);
  pRet = s.xStart(s.pArg);
  pthread_cleanup_pop(1);
  return pRet;
}

int pthread_create(pthread_t *pThread, const pthread_attr_t *pAttr, void *(*xStart)(void *),
                   void *pArg) {
  static int (*xReal)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
  Start *p;
  if (!xReal) {
    xReal = (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))dlsym(
        RTLD_NEXT, "pthread_create");
  }
  if (!getenv("WHATIF_THREADS_FILE") || (p = malloc(sizeof(*p))) == 0) {
    return xReal(pThread, pAttr, xStart, pArg);
  }
  p->xStart = xStart;
  p->pArg = pArg;
  __atomic_add_fetch(&nThreads, 1, __ATOMIC_RELAXED);
  return xReal(pThread, pAttr, start_counted, p);
}

__attribute__((destructor)) static void write_counts(void) {
  const char *zFile = getenv("WHATIF_COUNT_FILE");
  FILE *f;
  if (zFile && (f = fopen(zFile, "w")) != 0) {
    fprintf(f, "%ld %zu\n", nParse, nBytes);
    fclose(f);
  }
  /* the destructor runs in the thread that calls exit: the shell's main thread */
  zFile = getenv("WHATIF_THREADS_FILE");
  if (zFile && (f = fopen(zFile, "w")) != 0) {
    fprintf(f, "%.4f %.4f %ld\n", thread_cpu_ns() / 1e9,
            __atomic_load_n(&nWorkerNs, __ATOMIC_RELAXED) / 1e9, nThreads);
    fclose(f);
  }
}

/* curl_easy_setopt is variadic: forward the one argument with the type its option number
** says (see CURLOPTTYPE_* in curl.h). */
CURLcode curl_easy_setopt(CURL *pEasy, CURLoption eOpt, ...) {
  static CURLcode (*xReal)(CURL *, CURLoption, ...);
  va_list ap;
  CURLcode rc;
  if (!xReal)
    xReal = (CURLcode(*)(CURL *, CURLoption, ...))dlsym(RTLD_NEXT, "curl_easy_setopt");
  if (eOpt == CURLOPT_ACCEPT_ENCODING && getenv("WHATIF_IDENTITY")) return CURLE_OK;
  va_start(ap, eOpt);
  if (eOpt < CURLOPTTYPE_OBJECTPOINT) {
    rc = xReal(pEasy, eOpt, va_arg(ap, long));
  } else if (eOpt < CURLOPTTYPE_FUNCTIONPOINT) {
    rc = xReal(pEasy, eOpt, va_arg(ap, void *));
  } else if (eOpt < CURLOPTTYPE_OFF_T) {
    rc = xReal(pEasy, eOpt, va_arg(ap, void (*)(void)));
  } else if (eOpt < CURLOPTTYPE_BLOB) {
    rc = xReal(pEasy, eOpt, va_arg(ap, curl_off_t));
  } else {
    rc = xReal(pEasy, eOpt, va_arg(ap, void *));
  }
  va_end(ap);
  return rc;
}
