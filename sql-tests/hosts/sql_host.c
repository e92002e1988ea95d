/*
** sql_host.c: the smallest SQLite host, built with ThreadSanitizer (with the extension) by
** sql-tests/t/ext_scan_races.sh, so that the scan's worker threads and the thread that reads
** their pages are all threads the sanitizer sees.
**
** Usage:
**   sql_host EXT SQL...
**
** Opens an in-memory database, loads EXT, and runs each SQL argument, printing every row as
** its columns joined by '|' (NULL as nothing), as the sqlite3 shell does. An error is printed
** as "error: MESSAGE" and the exit status is 1.
*/
#include "sqlite3.h"

#include <stdio.h>

int main(int argc, char **argv) {
  sqlite3 *db = 0;
  char *zErr = 0;
  int rc = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: sql_host EXT SQL...\n");
    return 2;
  }
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 2;
  sqlite3_enable_load_extension(db, 1);
  if (sqlite3_load_extension(db, argv[1], 0, &zErr) != SQLITE_OK) {
    printf("error: %s\n", zErr);
    return 1;
  }
  for (int i = 2; i < argc && rc == 0; i++) {
    const char *zTail = argv[i];
    while (zTail && *zTail && rc == 0) {
      sqlite3_stmt *pStmt = 0;
      if (sqlite3_prepare_v2(db, zTail, -1, &pStmt, &zTail) != SQLITE_OK) {
        printf("error: %s\n", sqlite3_errmsg(db));
        rc = 1;
        break;
      }
      if (!pStmt) break; /* whitespace or a comment */
      int e;
      while ((e = sqlite3_step(pStmt)) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(pStmt); c++) {
          const unsigned char *z = sqlite3_column_text(pStmt, c);
          printf("%s%s", c ? "|" : "", z ? (const char *)z : "");
        }
        printf("\n");
      }
      if (e != SQLITE_DONE) {
        printf("error: %s\n", sqlite3_errmsg(db));
        rc = 1;
      }
      sqlite3_finalize(pStmt);
    }
  }
  sqlite3_close(db);
  return rc;
}
