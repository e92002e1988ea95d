/*
** c_host.c: a C program that hosts the extension on another SQLite than the system's: the
** amalgamation that better-sqlite3 carries (3.53 with the committed lock file), built in
** by sql-tests/t/host_sqlite_new.sh. Debian's SQLite is 3.40; this is how the tests reach
** what newer libraries add, sqlite3_is_interrupted() above all.
**
** Usage:
**   c_host EXT SQL                 run SQL; rows '|'-separated, an error as "error: ..."
**   c_host EXT --interrupt MS SQL  run SQL and call sqlite3_interrupt() from another
**                                  thread after MS ms; print "rc=N ms=T msg"
*/
#include "sqlite3.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sqlite3 *db;
static long msInterrupt; /* when the other thread interrupts, after the start */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *interrupter(void *pArg) {
  struct timespec ts = {msInterrupt / 1000, (msInterrupt % 1000) * 1000000L};
  (void)pArg;
  nanosleep(&ts, 0);
  sqlite3_interrupt(db);
  return 0;
}

static int print_row(void *pArg, int nCol, char **azVal, char **azCol) {
  (void)pArg, (void)azCol;
  for (int i = 0; i < nCol; i++)
    printf("%s%s", i ? "|" : "", azVal[i] ? azVal[i] : "");
  printf("\n");
  return 0;
}

int main(int argc, char **argv) {
  char *zErr = 0;
  int rc;
  if (argc != 3 && !(argc == 5 && strcmp(argv[2], "--interrupt") == 0)) {
    fprintf(stderr, "usage: c_host EXT SQL | c_host EXT --interrupt MS SQL\n");
    return 2;
  }
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
  sqlite3_enable_load_extension(db, 1);
  if (sqlite3_load_extension(db, argv[1], 0, &zErr) != SQLITE_OK) {
    printf("error: %s\n", zErr ? zErr : sqlite3_errmsg(db));
    return 1;
  }
  if (argc == 3) {
    rc = sqlite3_exec(db, argv[2], print_row, 0, &zErr);
    if (rc != SQLITE_OK) printf("error: %s\n", zErr ? zErr : sqlite3_errmsg(db));
  } else {
    pthread_t t;
    msInterrupt = atol(argv[3]);
    double rStart = now_ms();
    pthread_create(&t, 0, interrupter, 0);
    rc = sqlite3_exec(db, argv[4], 0, 0, &zErr);
    printf("rc=%d ms=%.0f %s\n", rc, now_ms() - rStart, zErr ? zErr : sqlite3_errmsg(db));
    pthread_join(t, 0);
  }
  sqlite3_free(zErr);
  sqlite3_close(db);
  return rc != SQLITE_OK;
}
