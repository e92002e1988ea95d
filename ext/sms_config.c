/*
** sms_config.c: options, environment variables, ~/.netrc, and whose credentials may go
** where. See sms_config.h.
**
** Options come word for word from CREATE VIRTUAL TABLE (SQLite stores them in the schema),
** so every one is validated here, once, and an error names the option and the fix.
*/
#include "sms_config.h"
#include "sms_rc.h"
#include "sms_rate.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The options, in the order of azOption. */
enum {
  OPT_PROGRAM_ID,
  OPT_BASE_URL,
  OPT_USERNAME,
  OPT_PASSWORD,
  OPT_PAGE_SIZE,
  OPT_TIMEOUT,
  OPT_RETRIES,
  OPT_PARALLEL,
  OPT_PROGRESS,
  OPT_CA_FILE,
  OPT_CACHE_TTL,
  OPT_CACHE_MB,
  OPT_RATE_LIMIT,
  OPT_ALLOW_HTTP,
  N_OPTION
};
static const char *const azOption[N_OPTION] = {
    "program_id", "base_url", "username", "password",  "page_size", "timeout",    "retries",
    "parallel",   "progress", "ca_file",  "cache_ttl", "cache_mb",  "rate_limit", "allow_http"};

/* Trim spaces around z[0..n) in place; returns the new start, *pn the new length. */
static const char *trim(const char *z, size_t *pn) {
  size_t n = *pn;
  while (n && isspace((unsigned char)*z))
    z++, n--;
  while (n && isspace((unsigned char)z[n - 1]))
    n--;
  *pn = n;
  return z;
}

/* A copy of an option value without its SQL quotes ('x', "x", `x` or [x]). */
static char *dequote(const char *z, size_t n) {
  char *zOut = malloc(n + 1);
  if (!zOut) return 0;
  char q = n >= 2 ? z[0] : 0;
  char qEnd = q == '[' ? ']' : q;
  if ((q == '\'' || q == '"' || q == '`' || q == '[') && z[n - 1] == qEnd) {
    size_t j = 0;
    for (size_t i = 1; i + 1 < n; i++) {
      zOut[j++] = z[i];
      if (q != '[' && z[i] == q && z[i + 1] == q) i++; /* '' stands for ' */
    }
    zOut[j] = 0;
  } else {
    memcpy(zOut, z, n);
    zOut[n] = 0;
  }
  return zOut;
}

/* A whole number in [iMin, iMax] written in decimal, nothing else. */
static int parse_int(const char *z, long long iMin, long long iMax, long long *piVal) {
  char *zEnd;
  if (!isdigit((unsigned char)z[0]) && !(z[0] == '-' && isdigit((unsigned char)z[1])))
    return SMS_ERROR;
  errno = 0;
  long long v = strtoll(z, &zEnd, 10);
  if (errno || *zEnd || v < iMin || v > iMax) return SMS_ERROR;
  *piVal = v;
  return SMS_OK;
}

/* The progress option: "auto" (any case), 0 or 1, into *pe. */
static int parse_progress(const char *z, int *pe) {
  long long v;
  if (strcasecmp(z, "auto") == 0) {
    *pe = SMS_PROGRESS_AUTO;
    return SMS_OK;
  }
  if (parse_int(z, 0, 1, &v)) return SMS_ERROR;
  *pe = (int)v;
  return SMS_OK;
}

/* Requests per second: 0 (no limit), or SMS_RATE_MIN to SMS_RATE_MAX in plain decimals
** ("5", "0.5"), so that a quota per minute or hour can be spread evenly. */
static int parse_rate(const char *z, double *prVal) {
  double r = 0, rScale = 1;
  int nInt = 0, nFrac = 0;
  while (isdigit((unsigned char)*z) && nInt++ < 9)
    r = r * 10 + (*z++ - '0');
  if (*z == '.') /* by hand: strtod would follow the host's locale */
    for (z++; isdigit((unsigned char)*z) && nFrac++ < 9; z++)
      r += (*z - '0') * (rScale /= 10);
  if (nInt == 0 || nInt > 9 || nFrac > 9 || z[-1] == '.' || *z) return SMS_ERROR;
  if ((r != 0 && r < SMS_RATE_MIN) || r > SMS_RATE_MAX) return SMS_ERROR;
  *prVal = r;
  return SMS_OK;
}

/* The error text of a bad rate_limit (zWhere: the option or the environment variable). */
static void rate_error(const char *zWhere, const char *zVal, char *zErr, size_t nErr) {
  snprintf(zErr, nErr,
           SMS_ERR_PREFIX "%s must be a number of requests per second, 0 (no limit) or from "
                          "0.001 to 10000, like 5 or 0.5, not '%s'",
           zWhere, zVal);
}

int sms_url_origin(const char *zUrl, char *zScheme, char *zHost, int *piPort) {
  const char *z;
  if (strncasecmp(zUrl, "http://", 7) == 0) {
    strcpy(zScheme, "http");
    *piPort = 80;
    z = zUrl + 7;
  } else if (strncasecmp(zUrl, "https://", 8) == 0) {
    strcpy(zScheme, "https");
    *piPort = 443;
    z = zUrl + 8;
  } else {
    return SMS_ERROR;
  }
  size_t nAuth = strcspn(z, "/?#");
  const char *zAt = memchr(z, '@', nAuth);
  if (zAt) { /* userinfo is never used, but it must not be mistaken for the host */
    nAuth -= (size_t)(zAt + 1 - z);
    z = zAt + 1;
  }
  const char *zPort = 0;
  size_t nHost;
  if (z[0] == '[') {
    const char *zClose = memchr(z, ']', nAuth);
    if (!zClose) return SMS_ERROR;
    nHost = (size_t)(zClose + 1 - z);
    if (nHost < nAuth) {
      if (zClose[1] != ':') return SMS_ERROR;
      zPort = zClose + 2;
    }
  } else {
    const char *zColon = memchr(z, ':', nAuth);
    nHost = zColon ? (size_t)(zColon - z) : nAuth;
    if (zColon) zPort = zColon + 1;
  }
  if (nHost == 0 || nHost > 255) return SMS_ERROR;
  for (size_t i = 0; i < nHost; i++)
    zHost[i] = (char)tolower((unsigned char)z[i]);
  zHost[nHost] = 0;
  if (zPort) {
    size_t nPort = (size_t)(z + nAuth - zPort);
    if (nPort == 0 || nPort > 5) return SMS_ERROR;
    int iPort = 0;
    for (size_t i = 0; i < nPort; i++) {
      if (!isdigit((unsigned char)zPort[i])) return SMS_ERROR;
      iPort = iPort * 10 + (zPort[i] - '0');
    }
    if (iPort < 1 || iPort > 65535) return SMS_ERROR;
    *piPort = iPort;
  }
  return SMS_OK;
}

int sms_same_origin(const char *zA, const char *zB) {
  char zSchemeA[8], zSchemeB[8], zHostA[256], zHostB[256];
  int iPortA, iPortB;
  if (sms_url_origin(zA, zSchemeA, zHostA, &iPortA)) return 0;
  if (sms_url_origin(zB, zSchemeB, zHostB, &iPortB)) return 0;
  return strcmp(zSchemeA, zSchemeB) == 0 && strcmp(zHostA, zHostB) == 0 && iPortA == iPortB;
}

/* Overwrite n bytes of a secret before its memory is freed or goes out of scope; the
** volatile pointer keeps the compiler from dropping the stores as dead. */
static void wipe(void *p, size_t n) {
  volatile unsigned char *z = p;
  while (n--)
    *z++ = 0;
}

/* Read one netrc token (a word, or a "quoted string") from *pz into zOut. */
static int netrc_token(const char **pz, char *zOut, size_t nOut) {
  const char *z = *pz;
  size_t n = 0;
  while (*z && isspace((unsigned char)*z))
    z++;
  if (!*z) return 0;
  if (*z == '"') {
    for (z++; *z && *z != '"'; z++) {
      if (*z == '\\' && z[1]) z++;
      if (n + 1 < nOut) zOut[n++] = *z;
    }
    if (*z) z++;
  } else {
    for (; *z && !isspace((unsigned char)*z); z++)
      if (n + 1 < nOut) zOut[n++] = *z;
  }
  zOut[n] = 0;
  *pz = z;
  return 1;
}

/* The login and password of the "machine zHost" entry of ~/.netrc ($NETRC if set). Only an
** entry naming the host counts: a "default" entry would send them anywhere. */
static int netrc_lookup(const char *zHost, char **pzUser, char **pzPassword) {
  const char *zPath = getenv("NETRC");
  char zDefault[4096];
  if (!zPath || !*zPath) {
    const char *zHome = getenv("HOME");
    if (!zHome) return 0;
    snprintf(zDefault, sizeof(zDefault), "%s/.netrc", zHome);
    zPath = zDefault;
  }
  FILE *f = fopen(zPath, "rb");
  if (!f) return 0;
  char *zText = malloc(65537);
  size_t n = zText ? fread(zText, 1, 65536, f) : 0;
  fclose(f);
  if (!zText) return 0;
  zText[n] = 0;

  char zTok[1024], zLogin[1024] = "", zPass[1024] = "";
  const char *z = zText;
  int bMatch = 0;
  while (netrc_token(&z, zTok, sizeof(zTok))) {
    if (strcmp(zTok, "machine") == 0 || strcmp(zTok, "default") == 0) {
      if (bMatch && zLogin[0]) break;
      bMatch = 0;
      zLogin[0] = zPass[0] = 0;
      if (zTok[0] == 'm' && netrc_token(&z, zTok, sizeof(zTok)))
        bMatch = strcasecmp(zTok, zHost) == 0;
    } else if (strcmp(zTok, "login") == 0) {
      netrc_token(&z, zLogin, sizeof(zLogin));
    } else if (strcmp(zTok, "password") == 0) {
      netrc_token(&z, zPass, sizeof(zPass));
    } else if (strcmp(zTok, "macdef") == 0) {
      const char *zEnd = strstr(z, "\n\n");
      z = zEnd ? zEnd + 2 : z + strlen(z);
    }
  }
  wipe(zText, n); /* it holds every password of the file */
  free(zText);
  int bFound = bMatch && zLogin[0];
  if (bFound) {
    *pzUser = strdup(zLogin);
    *pzPassword = strdup(zPass);
  }
  wipe(zTok, sizeof(zTok));
  wipe(zLogin, sizeof(zLogin));
  wipe(zPass, sizeof(zPass));
  return bFound;
}

/* Check and store one option. */
static int set_option(SmsConfig *p, int iOpt, const char *zVal, char *zErr, size_t nErr) {
  long long v;
  switch (iOpt) {
  case OPT_PROGRAM_ID:
    if (parse_int(zVal, 1, 999999999999999999LL, &v)) {
      snprintf(zErr, nErr, SMS_ERR_PREFIX "program_id must be a positive integer, not '%s'",
               zVal);
      return SMS_ERROR;
    }
    p->iProgram = v;
    return SMS_OK;
  case OPT_BASE_URL: {
    char zScheme[8], zHost[256];
    int iPort;
    size_t n = strlen(zVal);
    if (sms_url_origin(zVal, zScheme, zHost, &iPort) || strpbrk(zVal, "?#@ ")) {
      /* Shown without a user:password@ part, which may hold a real password. */
      const char *zAt = strchr(zVal, '@');
      const char *zShown = zAt ? zAt + 1 : zVal;
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX "base_url must be an http:// or https:// URL with a host and no "
                              "credentials, query or fragment, like '" SMS_DEFAULT_BASE_URL
                              "', not '%s%s'",
               zAt ? "...@" : "", zShown);
      return SMS_ERROR;
    }
    while (n && zVal[n - 1] == '/')
      n--;
    free(p->zBaseUrl);
    p->zBaseUrl = strndup(zVal, n);
    return p->zBaseUrl ? SMS_OK : SMS_NOMEM;
  }
  case OPT_USERNAME:
  case OPT_PASSWORD: {
    char **pz = iOpt == OPT_USERNAME ? &p->zUser : &p->zPassword;
    if (!zVal[0] || strchr(zVal, '\n') || strchr(zVal, '\r')) {
      snprintf(zErr, nErr, SMS_ERR_PREFIX "%s must be a non-empty single line", azOption[iOpt]);
      return SMS_ERROR;
    }
    free(*pz);
    *pz = strdup(zVal);
    return *pz ? SMS_OK : SMS_NOMEM;
  }
  case OPT_PAGE_SIZE:
    if (parse_int(zVal, 1, SMS_MAX_PAGE_SIZE, &v)) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX "page_size must be a whole number from 1 to 500, not '%s'", zVal);
      return SMS_ERROR;
    }
    p->nPageSize = (int)v;
    return SMS_OK;
  case OPT_TIMEOUT:
    if (parse_int(zVal, 1, 86400, &v)) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX
               "timeout must be a whole number of seconds from 1 to 86400, not '%s'",
               zVal);
      return SMS_ERROR;
    }
    p->nTimeout = (int)v;
    return SMS_OK;
  case OPT_RETRIES:
    if (parse_int(zVal, 0, 20, &v)) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX "retries must be a whole number from 0 to 20, not '%s'", zVal);
      return SMS_ERROR;
    }
    p->nRetries = (int)v;
    return SMS_OK;
  case OPT_CA_FILE: {
    FILE *f = fopen(zVal, "rb");
    if (!f) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX "ca_file '%s' cannot be read: name a file of PEM CA certificates",
               zVal);
      return SMS_ERROR;
    }
    fclose(f);
    free(p->zCaFile);
    p->zCaFile = strdup(zVal);
    return p->zCaFile ? SMS_OK : SMS_NOMEM;
  }
  case OPT_CACHE_TTL:
    if (parse_int(zVal, 0, 86400 * 366, &v)) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX
               "cache_ttl must be a whole number of seconds from 0 (no cache) to 31622400, "
               "not '%s'",
               zVal);
      return SMS_ERROR;
    }
    p->nCacheTtl = (int)v;
    return SMS_OK;
  case OPT_CACHE_MB:
    if (parse_int(zVal, 0, 1 << 20, &v)) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX
               "cache_mb must be a whole number of MiB from 0 to 1048576, not '%s'",
               zVal);
      return SMS_ERROR;
    }
    p->nCacheMb = (int)v;
    return SMS_OK;
  case OPT_RATE_LIMIT:
    if (parse_rate(zVal, &p->rRateLimit)) {
      rate_error("rate_limit", zVal, zErr, nErr);
      return SMS_ERROR;
    }
    return SMS_OK;
  case OPT_PROGRESS:
    if (parse_progress(zVal, &p->bProgress)) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX "progress must be auto (on a terminal, after a second), 0 (off) "
                              "or 1 (on), not '%s'",
               zVal);
      return SMS_ERROR;
    }
    return SMS_OK;
  case OPT_ALLOW_HTTP:
    if (parse_int(zVal, 0, 1, &v)) {
      snprintf(zErr, nErr, SMS_ERR_PREFIX "%s must be 0 (off) or 1 (on), not '%s'",
               azOption[iOpt], zVal);
      return SMS_ERROR;
    }
    p->bAllowHttp = (int)v;
    return SMS_OK;
  default:
    if (parse_int(zVal, 1, 16, &v)) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX "parallel must be a whole number from 1 to 16, not '%s'", zVal);
      return SMS_ERROR;
    }
    p->nParallel = (int)v;
    p->bParallelSet = 1;
    return SMS_OK;
  }
}

int sms_host_is_loopback(const char *zHost) {
  unsigned char a[16];
  char zAddr[64];
  size_t n = strlen(zHost);
  if (strcasecmp(zHost, "localhost") == 0) return 1;
  if (inet_pton(AF_INET, zHost, a) == 1) return a[0] == 127;
  if (n < 3 || n - 2 >= sizeof(zAddr) || zHost[0] != '[' || zHost[n - 1] != ']') return 0;
  memcpy(zAddr, zHost + 1, n - 2); /* an IPv6 host is written [addr] */
  zAddr[n - 2] = 0;
  if (inet_pton(AF_INET6, zAddr, a) != 1) return 0;
  static const unsigned char aLoop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static const unsigned char aMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return memcmp(a, aLoop, 16) == 0 || (memcmp(a, aMapped, 12) == 0 && a[12] == 127);
}

/* 1 when zHost is named by a no_proxy (or NO_PROXY) list as libcurl reads it: "*", or an
** entry equal to the host or a domain of it (".example.com" and "example.com" both cover
** "api.example.com"). Deliberately simple: an entry it does not understand (a CIDR range,
** say) covers nothing here, so a doubt means "through the proxy", and the caller refuses. */
static int no_proxy_covers(const char *zHost) {
  const char *zList = getenv("no_proxy");
  if (!zList || !*zList) zList = getenv("NO_PROXY");
  if (!zList) return 0;
  size_t nHost = strlen(zHost);
  while (*zList) {
    size_t n = strcspn(zList, ", \t");
    const char *zTok = zList;
    zList += n;
    zList += strspn(zList, ", \t");
    while (n && zTok[0] == '.')
      zTok++, n--;
    if (n == 1 && zTok[0] == '*') return 1;
    if (n == 0 || n > nHost) continue;
    if (strncasecmp(zHost + nHost - n, zTok, n) == 0 &&
        (n == nHost || zHost[nHost - n - 1] == '.')) {
      return 1;
    }
  }
  return 0;
}

const char *sms_http_proxy_variable(const char *zHost) {
  /* libcurl reads only the lowercase http_proxy for http (HTTP_PROXY can be set by a CGI
  ** request's Proxy: header), then all_proxy and ALL_PROXY. */
  static const char *const azVar[] = {"http_proxy", "all_proxy", "ALL_PROXY"};
  if (sms_host_is_loopback(zHost) || no_proxy_covers(zHost)) return 0;
  for (size_t i = 0; i < sizeof(azVar) / sizeof(azVar[0]); i++) {
    const char *z = getenv(azVar[i]);
    if (z && *z) return azVar[i];
  }
  return 0;
}

/* Plain http to a host that is not this machine: the Basic credentials would cross the
** network readable by anyone on the way, so they are dropped (and the scan says why)
** unless the user chose it. A table's allow_http=1 may come from a database file someone
** else wrote (the extension cannot tell: xCreate and xConnect are one), so it covers only
** the credentials written in that same table's options, which the schema's author gave;
** the user's own (the environment's, ~/.netrc's) cross plain http only when the user's
** environment says SMS_ALLOW_HTTP=1. Through a proxy, even a table's own credentials need
** SMS_ALLOW_HTTP=1: the proxy reads them too. The loopback stays allowed, and is never
** proxied (bNoProxy): it never leaves the machine. */
static int refuse_plain_http(SmsConfig *p, int bOwnOptions, int bEnvAllow, const char *zScheme,
                             const char *zHost, const char *zOrigin) {
  const char *zProxy = 0;
  if (!p->zUser || bEnvAllow || strcmp(zScheme, "http") != 0 || sms_host_is_loopback(zHost))
    return SMS_OK;
  if (bOwnOptions && p->bAllowHttp) {
    zProxy = sms_http_proxy_variable(zHost);
    if (!zProxy) {
      p->bNoProxy = 1; /* should libcurl find a proxy this check missed: not used */
      return SMS_OK;
    }
  }
  size_t n = 2 * strlen(zOrigin) + strlen(p->zCredSource) + strlen(zHost) + 700;
  p->zNoCredHint = malloc(n);
  if (!p->zNoCredHint) return SMS_NOMEM;
  if (zProxy) {
    snprintf(p->zNoCredHint, n,
             SMS_ERR_PREFIX "not sending the credentials of %s to %s over plain http through "
                            "the proxy that %s names, which can read the password: use an "
                            "https:// base_url, add %s to no_proxy to connect directly, or, "
                            "if you trust the proxy and the network, set the environment "
                            "variable SMS_ALLOW_HTTP=1",
             p->zCredSource, zOrigin, zProxy, zHost);
  } else if (bOwnOptions) {
    snprintf(p->zNoCredHint, n,
             SMS_ERR_PREFIX "not sending the credentials of %s to %s over plain http, where "
                            "anyone on the way can read the password: use an https:// "
                            "base_url, or, on a network you trust, create the table with the "
                            "option allow_http=1 (CREATE VIRTUAL TABLE t USING "
                            "sms_messages(base_url='%s', allow_http=1, ...))",
             p->zCredSource, zOrigin, p->zBaseUrl);
  } else {
    snprintf(p->zNoCredHint, n,
             SMS_ERR_PREFIX "not sending the credentials of %s to %s over plain http, where "
                            "anyone on the way can read the password: use an https:// "
                            "base_url, or, on a network you trust, set the environment "
                            "variable SMS_ALLOW_HTTP=1 (a table's allow_http=1 covers only "
                            "its own username= and password= options: a database file's "
                            "schema cannot send your credentials in clear)",
             p->zCredSource, zOrigin);
  }
  free(p->zUser);
  wipe(p->zPassword, strlen(p->zPassword));
  free(p->zPassword);
  p->zUser = p->zPassword = 0;
  return SMS_OK;
}

/* Credentials for p->zBaseUrl, from the first source bound to its origin. */
static int find_credentials(SmsConfig *p, int bOptUser, int bOptPassword, char *zErr,
                            size_t nErr) {
  char zScheme[8], zHost[256], zOrigin[300];
  int iPort;
  const char *zAllow = getenv("SMS_ALLOW_HTTP");
  if (zAllow && *zAllow && strcmp(zAllow, "0") != 0 && strcmp(zAllow, "1") != 0) {
    snprintf(zErr, nErr,
             SMS_ERR_PREFIX "environment variable SMS_ALLOW_HTTP must be 0 (credentials go "
                            "over plain http only to this machine) or 1 (to any host), not "
                            "'%.40s'",
             zAllow);
    return SMS_ERROR;
  }
  int bEnvAllow = zAllow && strcmp(zAllow, "1") == 0;
  if (bOptUser != bOptPassword) {
    snprintf(zErr, nErr,
             SMS_ERR_PREFIX "option %s is missing: give username= and password= together, or "
                            "neither to use SMS_API_USERNAME/SMS_API_PASSWORD or ~/.netrc",
             bOptUser ? "password" : "username");
    return SMS_ERROR;
  }
  const char *zEnvBase = getenv("SMS_API_BASE_URL");
  if (!zEnvBase || !*zEnvBase) zEnvBase = SMS_DEFAULT_BASE_URL;
  int bEnvHere = sms_same_origin(zEnvBase, p->zBaseUrl);
  p->bForeign = !bEnvHere;
  sms_url_origin(p->zBaseUrl, zScheme, zHost, &iPort);
  snprintf(zOrigin, sizeof(zOrigin), "%s://%s:%d", zScheme, zHost, iPort);
  /* A proxy could not reach this machine's loopback anyway, and would read what goes. */
  p->bNoProxy = sms_host_is_loopback(zHost);
  if (bOptUser) {
    p->zCredSource = "the table's username= and password= options";
    return refuse_plain_http(p, 1, bEnvAllow, zScheme, zHost, zOrigin);
  }

  const char *zEnvUser = getenv("SMS_API_USERNAME");
  const char *zEnvPass = getenv("SMS_API_PASSWORD");
  int bEnvUser = zEnvUser && *zEnvUser, bEnvPass = zEnvPass && *zEnvPass;
  if (bEnvHere && bEnvUser && bEnvPass) {
    p->zUser = strdup(zEnvUser);
    p->zPassword = strdup(zEnvPass);
    p->zCredSource = "SMS_API_USERNAME and SMS_API_PASSWORD";
    if (!p->zUser || !p->zPassword) return SMS_NOMEM;
    return refuse_plain_http(p, 0, bEnvAllow, zScheme, zHost, zOrigin);
  }
  if (netrc_lookup(zHost, &p->zUser, &p->zPassword)) {
    p->zCredSource = "~/.netrc";
    if (!p->zUser || !p->zPassword) return SMS_NOMEM;
    return refuse_plain_http(p, 0, bEnvAllow, zScheme, zHost, zOrigin);
  }

  /* None: the scan reports this, so that a table can still be created and described. */
  char zWhy[400] = "";
  if (bEnvHere && bEnvUser != bEnvPass) {
    snprintf(zWhy, sizeof(zWhy), " (%s is set but %s is not)",
             bEnvUser ? "SMS_API_USERNAME" : "SMS_API_PASSWORD",
             bEnvUser ? "SMS_API_PASSWORD" : "SMS_API_USERNAME");
  } else if (!bEnvHere && (bEnvUser || bEnvPass)) {
    snprintf(zWhy, sizeof(zWhy),
             " (SMS_API_USERNAME and SMS_API_PASSWORD are only sent to SMS_API_BASE_URL, "
             "%.200s)",
             zEnvBase);
  }
  size_t n = strlen(zOrigin) + strlen(zWhy) + strlen(zHost) + 400;
  p->zNoCredHint = malloc(n);
  if (!p->zNoCredHint) return SMS_NOMEM;
  snprintf(p->zNoCredHint, n,
           SMS_ERR_PREFIX "no credentials for %s%s: set SMS_API_USERNAME and SMS_API_PASSWORD "
                          "(and SMS_API_BASE_URL for a server other than the default), add "
                          "'machine %s login USER password PASSWORD' to ~/.netrc, or give the "
                          "table the username= and password= options",
           zOrigin, zWhy, zHost);
  return SMS_OK;
}

int sms_config_init(SmsConfig *p, int argc, const char *const *argv, char *zErr, size_t nErr) {
  int abSeen[N_OPTION] = {0};
  memset(p, 0, sizeof(*p));
  p->nPageSize = SMS_MAX_PAGE_SIZE;
  p->nTimeout = 60;
  p->nRetries = 4;
  p->nParallel = 1;
  /* unset or not a value: the default, auto (a typo must not silence the line) */
  const char *zProgress = getenv("SMS_PROGRESS");
  if (!zProgress || parse_progress(zProgress, &p->bProgress)) {
    p->bProgress = SMS_PROGRESS_AUTO;
  }
  p->nCacheTtl = SMS_DEFAULT_CACHE_TTL;
  p->nCacheMb = SMS_DEFAULT_CACHE_MB;
  /* These variables apply to every table; a table's options override them. */
  static const struct {
    const char *zEnv; /* the variable */
    int iOpt;         /* the option it sets */
  } aEnv[] = {{"SMS_CACHE_TTL", OPT_CACHE_TTL},
              {"SMS_CACHE_MB", OPT_CACHE_MB},
              {"SMS_PARALLEL", OPT_PARALLEL},
              {"SMS_CA_FILE", OPT_CA_FILE}};
  for (size_t i = 0; i < sizeof(aEnv) / sizeof(aEnv[0]); i++) {
    const char *zEnv = getenv(aEnv[i].zEnv);
    if (!zEnv || !*zEnv) continue;
    if (set_option(p, aEnv[i].iOpt, zEnv, zErr, nErr)) {
      size_t nPrefix = strlen(SMS_ERR_PREFIX);
      char zWhy[512];
      snprintf(zWhy, sizeof(zWhy), "%s", zErr + nPrefix);
      snprintf(zErr, nErr, SMS_ERR_PREFIX "environment variable %s: %s", aEnv[i].zEnv, zWhy);
      return SMS_ERROR;
    }
  }
  p->bCaEnv = p->zCaFile != 0;

  const char *zEnvBase = getenv("SMS_API_BASE_URL");
  int rc =
      set_option(p, 1, zEnvBase && *zEnvBase ? zEnvBase : SMS_DEFAULT_BASE_URL, zErr, nErr);
  if (rc == SMS_ERROR) {
    snprintf(zErr, nErr,
             SMS_ERR_PREFIX
             "SMS_API_BASE_URL must be an http:// or https:// URL with a host, like "
             "'" SMS_DEFAULT_BASE_URL "'");
    return SMS_ERROR;
  }
  if (rc) goto nomem;

  for (int i = 0; i < argc; i++) {
    const char *zArg = argv[i];
    const char *zEq = strchr(zArg, '=');
    size_t nKey = zEq ? (size_t)(zEq - zArg) : strlen(zArg);
    const char *zKey = trim(zArg, &nKey);
    if (nKey >= 2 && (zKey[0] == '"' || zKey[0] == '\'' || zKey[0] == '`') &&
        zKey[nKey - 1] == zKey[0]) { /* a quoted key, as SQL allows for names */
      zKey++;
      nKey -= 2;
    }
    int iOpt;
    for (iOpt = 0; iOpt < N_OPTION; iOpt++) {
      if (strlen(azOption[iOpt]) == nKey && strncasecmp(azOption[iOpt], zKey, nKey) == 0) break;
    }
    if (iOpt == N_OPTION || !zEq) {
      snprintf(zErr, nErr,
               SMS_ERR_PREFIX
               "%s '%.*s': options are key=value, with the keys program_id, "
               "base_url, username, password, page_size, timeout, retries, parallel, "
               "progress, ca_file, cache_ttl, cache_mb, rate_limit, allow_http",
               iOpt == N_OPTION ? "unknown option" : "no value for option", (int)nKey, zKey);
      return SMS_ERROR;
    }
    if (abSeen[iOpt]++) {
      snprintf(zErr, nErr, SMS_ERR_PREFIX "option %s is given twice", azOption[iOpt]);
      return SMS_ERROR;
    }
    size_t nVal = strlen(zEq + 1);
    const char *zRaw = trim(zEq + 1, &nVal);
    char *zVal = dequote(zRaw, nVal);
    if (!zVal) goto nomem;
    rc = set_option(p, iOpt, zVal, zErr, nErr);
    free(zVal);
    if (iOpt == OPT_CA_FILE) p->bCaEnv = 0;
    if (rc == SMS_NOMEM) goto nomem;
    if (rc) return SMS_ERROR;
  }
  rc = find_credentials(p, abSeen[OPT_USERNAME], abSeen[OPT_PASSWORD], zErr, nErr);
  if (rc == SMS_NOMEM) goto nomem;
  if (rc) return rc;

  /* Checked wherever it is set, like SMS_API_BASE_URL; applied, like the environment's
  ** credentials, only to the environment's origin, and only when the table has no
  ** rate_limit of its own. */
  const char *zEnvRate = getenv("SMS_RATE_LIMIT");
  if (zEnvRate && *zEnvRate) {
    double r;
    if (parse_rate(zEnvRate, &r)) {
      rate_error("SMS_RATE_LIMIT", zEnvRate, zErr, nErr);
      return SMS_ERROR;
    }
    if (!p->bForeign && !abSeen[OPT_RATE_LIMIT]) p->rRateLimit = r;
  }
  return SMS_OK;

nomem:
  snprintf(zErr, nErr, SMS_ERR_PREFIX "out of memory");
  return SMS_NOMEM;
}

void sms_config_clear(SmsConfig *p) {
  free(p->zBaseUrl);
  free(p->zUser);
  if (p->zPassword) { /* do not leave the secret in freed memory */
    wipe(p->zPassword, strlen(p->zPassword));
    free(p->zPassword);
  }
  free(p->zNoCredHint);
  free(p->zCaFile);
  memset(p, 0, sizeof(*p));
}
