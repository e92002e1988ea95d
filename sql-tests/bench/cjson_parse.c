/*
** cjson_parse.c: how long cJSON alone takes to parse the benchmark's saved pages.
**
** Usage: cjson_parse FILE...        cjson_parse --version
**
** Reads every file into memory first, then times one pass of cJSON_ParseWithLength +
** cJSON_Delete over all of them on one core, and prints "SECONDS BYTES PAGES ROWS". It
** is the decode cost the extension cannot avoid while it uses cJSON: the extension does
** this, plus reading fields, plus SQLite's own work.
**
** Build: gcc -O2 -o cjson_parse cjson_parse.c -lcjson
*/
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  int nFile = argc - 1, i;
  char **azBody = calloc(nFile > 0 ? nFile : 1, sizeof(char *));
  size_t *anBody = calloc(nFile > 0 ? nFile : 1, sizeof(size_t));
  size_t nTotal = 0;
  long nRow = 0;
  if (argc == 2 && argv[1][0] == '-') { /* --version */
    printf("%s\n", cJSON_Version());
    return 0;
  }
  if (nFile < 1 || !azBody || !anBody) {
    fprintf(stderr, "usage: cjson_parse FILE...\n");
    return 2;
  }
  for (i = 0; i < nFile; i++) {
    FILE *f = fopen(argv[i + 1], "rb");
    long n;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
      fprintf(stderr, "cjson_parse: cannot read %s\n", argv[i + 1]);
      return 1;
    }
    azBody[i] = malloc((size_t)n + 1);
    if (!azBody[i] || fread(azBody[i], 1, (size_t)n, f) != (size_t)n) {
      fprintf(stderr, "cjson_parse: cannot read %s\n", argv[i + 1]);
      return 1;
    }
    fclose(f);
    anBody[i] = (size_t)n;
    nTotal += (size_t)n;
  }
  double t0 = now_s();
  for (i = 0; i < nFile; i++) {
    cJSON *pRoot = cJSON_ParseWithLength(azBody[i], anBody[i]);
    if (!pRoot) {
      fprintf(stderr, "cjson_parse: %s is not JSON\n", argv[i + 1]);
      return 1;
    }
    nRow += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(pRoot, "data"));
    cJSON_Delete(pRoot);
  }
  double t1 = now_s();
  printf("%.4f %zu %d %ld\n", t1 - t0, nTotal, nFile, nRow);
  for (i = 0; i < nFile; i++)
    free(azBody[i]);
  free(azBody);
  free(anBody);
  return 0;
}
