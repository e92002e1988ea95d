/*
** test_config.c: unit tests of sms_config.c: origins (whose credentials go where), option
** parsing and validation, ~/.netrc lookup. Prints "ok - ..." / "not ok - ..." lines.
*/
#include "sms_config.h"
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

/* Whether config *p refused its credentials over plain http, naming zSource and zOrigin. */
static int refused_http(const SmsConfig *p, const char *zSource, const char *zOrigin) {
  char zWant[300];
  snprintf(zWant, sizeof(zWant), "not sending the credentials of %s to %s over plain http",
           zSource, zOrigin);
  return p->zUser == 0 && p->zPassword == 0 && p->zNoCredHint &&
         strncmp(p->zNoCredHint, "sms_messages: ", 14) == 0 && strstr(p->zNoCredHint, zWant) &&
         strstr(p->zNoCredHint, "allow_http=1");
}

/* Config from a NULL-terminated list of options; returns sms_config_init's code. */
static int config(SmsConfig *p, char *zErr, const char *zOpt, ...) {
  const char *azArg[16];
  int n = 0;
  va_list ap;
  va_start(ap, zOpt);
  for (const char *z = zOpt; z && n < 16; z = va_arg(ap, const char *))
    azArg[n++] = z;
  va_end(ap);
  return sms_config_init(p, n, azArg, zErr, 1024);
}

int main(void) {
  SmsConfig c;
  char zErr[1024], zHome[] = "/tmp/sms-test-config-XXXXXX";

  check(sms_same_origin("https://a.example/api", "https://A.EXAMPLE:443/other"),
        "origin: host case and the default port do not matter");
  check(!sms_same_origin("https://a.example/api", "http://a.example/api"),
        "origin: an https to http downgrade is another origin");
  check(!sms_same_origin("http://a.example/api", "http://a.example:8080/api"),
        "origin: another port is another origin");
  check(!sms_same_origin("http://a.example/api", "http://a.example.evil.com/api"),
        "origin: a longer host is another origin");
  check(!sms_same_origin("http://a.example@evil.com/api", "http://a.example/api"),
        "origin: user@host is judged by the host after the @");
  check(!sms_same_origin("ftp://a.example/", "ftp://a.example/"), "origin: only http(s)");
  check(sms_same_origin("http://[::1]:8080/x", "http://[::1]:8080/y"), "origin: IPv6 host");

  const char *azLoop[] = {"127.0.0.1", "127.255.0.9",       "localhost",         "LocalHost",
                          "[::1]",     "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]"};
  const char *azNotLoop[] = {"128.0.0.1",
                             "10.0.0.1",
                             "0.0.0.0",
                             "127.1",
                             "[::2]",
                             "[::ffff:10.0.0.1]",
                             "127.0.0.1.evil.example",
                             "localhost.evil.example",
                             "api-host",
                             "[::1",
                             ""};
  for (size_t i = 0; i < sizeof(azLoop) / sizeof(azLoop[0]); i++) {
    char zDesc[100];
    snprintf(zDesc, sizeof(zDesc), "loopback: %s", azLoop[i]);
    check(sms_host_is_loopback(azLoop[i]), zDesc);
  }
  for (size_t i = 0; i < sizeof(azNotLoop) / sizeof(azNotLoop[0]); i++) {
    char zDesc[100];
    snprintf(zDesc, sizeof(zDesc), "not loopback: '%s'", azNotLoop[i]);
    check(!sms_host_is_loopback(azNotLoop[i]), zDesc);
  }

  unsetenv("SMS_API_BASE_URL");
  unsetenv("SMS_API_USERNAME");
  unsetenv("SMS_API_PASSWORD");
  unsetenv("SMS_PROGRESS");
  unsetenv("SMS_RATE_LIMIT");
  if (!mkdtemp(zHome)) return 2;
  setenv("HOME", zHome, 1);
  unsetenv("NETRC");

  /* Which proxy libcurl would use for plain http. */
  const char *azProxyEnv[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                              "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY"};
  for (size_t i = 0; i < sizeof(azProxyEnv) / sizeof(azProxyEnv[0]); i++)
    unsetenv(azProxyEnv[i]);
  check(sms_http_proxy_variable("api.example") == 0, "proxy: none set");
  setenv("HTTP_PROXY", "http://p:1", 1);
  setenv("https_proxy", "http://p:1", 1);
  check(sms_http_proxy_variable("api.example") == 0,
        "proxy: HTTP_PROXY and https_proxy are not used for http (as libcurl)");
  setenv("ALL_PROXY", "http://p:1", 1);
  check(sms_http_proxy_variable("api.example") &&
            strcmp(sms_http_proxy_variable("api.example"), "ALL_PROXY") == 0,
        "proxy: ALL_PROXY");
  setenv("http_proxy", "http://p:1", 1);
  check(strcmp(sms_http_proxy_variable("api.example"), "http_proxy") == 0,
        "proxy: http_proxy first");
  check(sms_http_proxy_variable("127.0.0.1") == 0 && sms_http_proxy_variable("[::1]") == 0,
        "proxy: never for the loopback");
  struct {
    const char *zList, *zHost;
    int bCovered;
  } aNo[] = {{"*", "api.example", 1},
             {"api.example", "API.example", 1},
             {"other.example, .example", "api.example", 1},
             {"example", "api.example", 1},
             {"pi.example", "api.example", 0},
             {"api.example.com", "api.example", 0},
             {"10.0.0.0/8", "10.1.2.3", 0},
             {"", "api.example", 0}};
  for (size_t i = 0; i < sizeof(aNo) / sizeof(aNo[0]); i++) {
    char zDesc[200];
    setenv(i % 2 ? "NO_PROXY" : "no_proxy", aNo[i].zList, 1);
    snprintf(zDesc, sizeof(zDesc), "proxy: no_proxy '%s' %s %s", aNo[i].zList,
             aNo[i].bCovered ? "covers" : "does not cover", aNo[i].zHost);
    check((sms_http_proxy_variable(aNo[i].zHost) == 0) == aNo[i].bCovered, zDesc);
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
  }
  for (size_t i = 0; i < sizeof(azProxyEnv) / sizeof(azProxyEnv[0]); i++)
    unsetenv(azProxyEnv[i]);
  unsetenv("SMS_ALLOW_HTTP");

  check(config(&c, zErr, NULL) == 0 && strcmp(c.zBaseUrl, SMS_DEFAULT_BASE_URL) == 0 &&
            c.nPageSize == 500 && c.nTimeout == 60 && c.nRetries == 4 && c.nParallel == 1 &&
            c.bProgress == SMS_PROGRESS_AUTO && c.zUser == 0 && c.zNoCredHint &&
            c.rRateLimit == 0,
        "defaults, and no credentials without a source");
  sms_config_clear(&c);

  /* progress: auto by default (and for an SMS_PROGRESS that is no value); 0, 1, auto */
  static const struct {
    const char *zEnv, *zOpt; /* SMS_PROGRESS (NULL: unset), the option (NULL: none) */
    int eWant;               /* bProgress */
  } aProg[] = {{NULL, "progress=auto", SMS_PROGRESS_AUTO},
               {NULL, "progress=AUTO", SMS_PROGRESS_AUTO},
               {NULL, "progress=0", 0},
               {NULL, "progress=1", 1},
               {"0", NULL, 0},
               {"1", NULL, 1},
               {"auto", NULL, SMS_PROGRESS_AUTO},
               {"yes", NULL, SMS_PROGRESS_AUTO},
               {"1", "progress=0", 0},
               {"0", "progress=auto", SMS_PROGRESS_AUTO}};
  for (size_t i = 0; i < sizeof(aProg) / sizeof(aProg[0]); i++) {
    char zDesc[120];
    if (aProg[i].zEnv) setenv("SMS_PROGRESS", aProg[i].zEnv, 1);
    snprintf(zDesc, sizeof(zDesc), "SMS_PROGRESS=%s and %s: progress %d",
             aProg[i].zEnv ? aProg[i].zEnv : "(unset)",
             aProg[i].zOpt ? aProg[i].zOpt : "no option", aProg[i].eWant);
    check(config(&c, zErr, aProg[i].zOpt, NULL) == 0 && c.bProgress == aProg[i].eWant, zDesc);
    sms_config_clear(&c);
    unsetenv("SMS_PROGRESS");
  }

  check(config(&c, zErr, " page_size = 200 ", "BASE_URL='http://h:1/api/'", "parallel=\"4\"",
               NULL) == 0 &&
            c.nPageSize == 200 && strcmp(c.zBaseUrl, "http://h:1/api") == 0 && c.nParallel == 4,
        "spaces, key case, quotes and a trailing slash");
  sms_config_clear(&c);

  check(config(&c, zErr, "password='it''s'", "username=u", NULL) == 0 &&
            strcmp(c.zPassword, "it's") == 0 && strcmp(c.zUser, "u") == 0,
        "a doubled quote inside a quoted value");
  sms_config_clear(&c);

  setenv("SMS_API_USERNAME", "envuser", 1);
  setenv("SMS_API_PASSWORD", "envpass", 1);
  check(config(&c, zErr, NULL) == 0 && c.zUser && strcmp(c.zUser, "envuser") == 0,
        "environment credentials go to the default base URL");
  sms_config_clear(&c);
  check(config(&c, zErr, "base_url=https://evil.example/api", NULL) == 0 && c.zUser == 0 &&
            strstr(c.zNoCredHint, "only sent to SMS_API_BASE_URL"),
        "... and not to a table's base_url elsewhere");
  sms_config_clear(&c);
  setenv("SMS_API_BASE_URL", "http://127.0.0.1:9/api", 1);
  check(config(&c, zErr, "base_url='http://127.0.0.1:9/api'", NULL) == 0 && c.zUser != 0,
        "... but to a base_url on SMS_API_BASE_URL's origin");
  sms_config_clear(&c);

  /* Plain http: the environment's credentials. */
  const char *zEnvSrc = "SMS_API_USERNAME and SMS_API_PASSWORD";
  setenv("SMS_API_BASE_URL", "http://API-host:8080/api", 1);
  check(config(&c, zErr, NULL) == 0 && refused_http(&c, zEnvSrc, "http://api-host:8080"),
        "plain http, environment credentials, a remote host: refused, allow_http=1 named");
  sms_config_clear(&c);
  check(config(&c, zErr, "allow_http=1", NULL) == 0 &&
            refused_http(&c, zEnvSrc, "http://api-host:8080") &&
            strstr(c.zNoCredHint, "set the environment variable SMS_ALLOW_HTTP=1"),
        "... not with allow_http=1 (a schema may say it), SMS_ALLOW_HTTP named");
  sms_config_clear(&c);
  setenv("SMS_ALLOW_HTTP", "1", 1);
  check(config(&c, zErr, NULL) == 0 && c.zUser && strcmp(c.zPassword, "envpass") == 0 &&
            !c.bNoProxy,
        "... sent with SMS_ALLOW_HTTP=1 (proxies as libcurl finds them)");
  sms_config_clear(&c);
  setenv("SMS_ALLOW_HTTP", "0", 1);
  check(config(&c, zErr, "allow_http=1", NULL) == 0 &&
            refused_http(&c, zEnvSrc, "http://api-host:8080"),
        "... not with SMS_ALLOW_HTTP=0");
  sms_config_clear(&c);
  setenv("SMS_ALLOW_HTTP", "yes", 1);
  check(config(&c, zErr, NULL) == SMS_ERROR &&
            strcmp(zErr, "sms_messages: environment variable SMS_ALLOW_HTTP must be 0 "
                         "(credentials go over plain http only to this machine) or 1 (to any "
                         "host), not 'yes'") == 0,
        "a bad SMS_ALLOW_HTTP is an error naming it");
  sms_config_clear(&c);
  unsetenv("SMS_ALLOW_HTTP");
  check(config(&c, zErr, "allow_http=0", NULL) == 0 &&
            refused_http(&c, zEnvSrc, "http://api-host:8080"),
        "... not with allow_http=0");
  sms_config_clear(&c);
  setenv("SMS_API_BASE_URL", "https://api-host:8080/api", 1);
  check(config(&c, zErr, NULL) == 0 && c.zUser, "... https to the same host: sent");
  sms_config_clear(&c);
  const char *azLoopUrl[] = {"http://127.0.0.1:9/api", "http://127.3.2.1/api",
                             "http://localhost:8080/api", "http://[::1]:8080/api"};
  for (size_t i = 0; i < sizeof(azLoopUrl) / sizeof(azLoopUrl[0]); i++) {
    char zDesc[200];
    setenv("SMS_API_BASE_URL", azLoopUrl[i], 1);
    snprintf(zDesc, sizeof(zDesc), "... plain http to the loopback %s: sent", azLoopUrl[i]);
    check(config(&c, zErr, NULL) == 0 && c.zUser && !c.zNoCredHint && c.bNoProxy, zDesc);
    sms_config_clear(&c);
  }
  unsetenv("SMS_API_BASE_URL");
  unsetenv("SMS_API_USERNAME");
  unsetenv("SMS_API_PASSWORD");

  check(config(&c, zErr, "rate_limit=5", NULL) == 0 && c.rRateLimit == 5, "rate_limit=5");
  sms_config_clear(&c);
  check(config(&c, zErr, "rate_limit='0.25'", NULL) == 0 && c.rRateLimit == 0.25,
        "rate_limit: a fraction, quoted");
  sms_config_clear(&c);
  check(config(&c, zErr, "rate_limit=10000", NULL) == 0 && c.rRateLimit == 10000,
        "rate_limit: the largest accepted");
  sms_config_clear(&c);
  check(config(&c, zErr, "rate_limit=0.001", NULL) == 0 && c.rRateLimit == 0.001,
        "rate_limit: the smallest accepted but 0");
  sms_config_clear(&c);
  setenv("SMS_RATE_LIMIT", "3", 1);
  check(config(&c, zErr, NULL) == 0 && c.rRateLimit == 3,
        "SMS_RATE_LIMIT applies to the environment's (here the default) origin");
  sms_config_clear(&c);
  check(config(&c, zErr, "rate_limit=0", NULL) == 0 && c.rRateLimit == 0,
        "... unless the table sets rate_limit (0: no limit)");
  sms_config_clear(&c);
  check(config(&c, zErr, "base_url=https://other.example/api", NULL) == 0 && c.rRateLimit == 0,
        "... and not to a table's base_url on another origin");
  sms_config_clear(&c);
  setenv("SMS_API_BASE_URL", "http://127.0.0.1:9/api", 1);
  check(config(&c, zErr, "base_url=http://127.0.0.1:9/other", NULL) == 0 && c.rRateLimit == 3,
        "... but to a base_url on SMS_API_BASE_URL's origin");
  sms_config_clear(&c);
  unsetenv("SMS_API_BASE_URL");
  setenv("SMS_RATE_LIMIT", "-1", 1);
  check(config(&c, zErr, "rate_limit=2", NULL) == SMS_ERROR &&
            strcmp(zErr,
                   "sms_messages: SMS_RATE_LIMIT must be a number of requests per second, "
                   "0 (no limit) or from 0.001 to 10000, like 5 or 0.5, not '-1'") == 0,
        "a bad SMS_RATE_LIMIT is an error naming it");
  sms_config_clear(&c);
  unsetenv("SMS_RATE_LIMIT");
  /* Plain http: the table's options. */
  const char *zOptSrc = "the table's username= and password= options";
  check(config(&c, zErr, "base_url=http://10.1.2.3/api", "username=u", "password=p", NULL) ==
                0 &&
            refused_http(&c, zOptSrc, "http://10.1.2.3:80"),
        "plain http, option credentials, a remote host: refused");
  sms_config_clear(&c);
  check(config(&c, zErr, "base_url=http://10.1.2.3/api", "username=u", "password=p",
               "allow_http=1", NULL) == 0 &&
            c.zUser && strcmp(c.zPassword, "p") == 0,
        "... sent with allow_http=1");
  check(c.bNoProxy, "... and through no proxy");
  sms_config_clear(&c);
  setenv("http_proxy", "http://proxy.example:3128", 1);
  check(config(&c, zErr, "base_url=http://10.1.2.3/api", "username=u", "password=p",
               "allow_http=1", NULL) == 0 &&
            c.zUser == 0 && c.zPassword == 0 &&
            strstr(c.zNoCredHint, "sms_messages: not sending the credentials of the table's "
                                  "username= and password= options to http://10.1.2.3:80 over "
                                  "plain http through the proxy that http_proxy names") &&
            strstr(c.zNoCredHint, "SMS_ALLOW_HTTP=1") &&
            !strstr(c.zNoCredHint, "proxy.example"),
        "... allow_http=1 with http_proxy set: refused, the variable named, not its value");
  sms_config_clear(&c);
  setenv("SMS_ALLOW_HTTP", "1", 1);
  check(config(&c, zErr, "base_url=http://10.1.2.3/api", "username=u", "password=p", NULL) ==
                0 &&
            c.zUser && !c.bNoProxy,
        "... sent through the proxy with SMS_ALLOW_HTTP=1");
  sms_config_clear(&c);
  unsetenv("SMS_ALLOW_HTTP");
  unsetenv("http_proxy");
  check(config(&c, zErr, "base_url=http://127.0.0.1:9/api", "username=u", "password=p", NULL) ==
                0 &&
            c.zUser && !c.zNoCredHint,
        "... to the loopback: sent");
  sms_config_clear(&c);

  char zNetrc[300];
  snprintf(zNetrc, sizeof(zNetrc), "%s/.netrc", zHome);
  FILE *f = fopen(zNetrc, "w");
  fputs("default login d password dp\n"
        "machine other.example login o password op\n"
        "machine Netrc.Example\n  login \"nu\"\n  password \"n p\\\"w\"\n",
        f);
  fclose(f);
  check(config(&c, zErr, "base_url=https://netrc.example/api", NULL) == 0 && c.zUser &&
            strcmp(c.zUser, "nu") == 0 && strcmp(c.zPassword, "n p\"w") == 0,
        "~/.netrc: the entry of the host, quoted values");
  sms_config_clear(&c);
  check(config(&c, zErr, "base_url=https://unlisted.example/api", NULL) == 0 && c.zUser == 0,
        "~/.netrc: the default entry is never used");
  sms_config_clear(&c);
  check(config(&c, zErr, "base_url=http://netrc.example:8080/api", NULL) == 0 &&
            refused_http(&c, "~/.netrc", "http://netrc.example:8080"),
        "plain http, ~/.netrc credentials, a remote host: refused");
  sms_config_clear(&c);
  check(config(&c, zErr, "base_url=http://netrc.example:8080/api", "allow_http=1", NULL) == 0 &&
            refused_http(&c, "~/.netrc", "http://netrc.example:8080") &&
            strstr(c.zNoCredHint, "SMS_ALLOW_HTTP=1"),
        "... not with allow_http=1: a schema cannot send ~/.netrc's password in clear");
  sms_config_clear(&c);
  setenv("SMS_ALLOW_HTTP", "1", 1);
  check(config(&c, zErr, "base_url=http://netrc.example:8080/api", NULL) == 0 && c.zUser &&
            strcmp(c.zUser, "nu") == 0,
        "... sent with SMS_ALLOW_HTTP=1");
  sms_config_clear(&c);
  unsetenv("SMS_ALLOW_HTTP");
  f = fopen(zNetrc, "a");
  fputs("machine localhost login lu password lp\n", f);
  fclose(f);
  check(config(&c, zErr, "base_url=http://localhost:8080/api", NULL) == 0 && c.zUser &&
            strcmp(c.zUser, "lu") == 0,
        "... to the loopback (localhost): sent");
  sms_config_clear(&c);
  remove(zNetrc);
  rmdir(zHome);

  struct {
    const char *zOpt, *zWant;
  } aBad[] = {
      {"page_size=0", "page_size must be a whole number from 1 to 500, not '0'"},
      {"page_size=12x", "page_size must be a whole number from 1 to 500, not '12x'"},
      {"timeout=-1", "timeout must be a whole number of seconds from 1 to 86400"},
      {"retries=21", "retries must be a whole number from 0 to 20"},
      {"parallel=0", "parallel must be a whole number from 1 to 16"},
      {"rate_limit=-1", "rate_limit must be a number of requests per second, 0 (no limit) or "
                        "from 0.001 to 10000, like 5 or 0.5, not '-1'"},
      {"rate_limit=abc", "rate_limit must be a number of requests per second"},
      {"rate_limit=", "rate_limit must be a number of requests per second"},
      {"rate_limit=5.", "rate_limit must be a number of requests per second"},
      {"rate_limit=.5", "rate_limit must be a number of requests per second"},
      {"rate_limit=0x10", "rate_limit must be a number of requests per second"},
      {"rate_limit=1e3", "rate_limit must be a number of requests per second"},
      {"rate_limit=5/s", "rate_limit must be a number of requests per second"},
      {"rate_limit=10001", "rate_limit must be a number of requests per second"},
      {"rate_limit=0.0001", "rate_limit must be a number of requests per second"},
      {"rate_limit=12345678901", "rate_limit must be a number of requests per second"},
      {"progress=yes",
       "progress must be auto (on a terminal, after a second), 0 (off) or 1 (on), not 'yes'"},
      {"allow_http=true", "allow_http must be 0 (off) or 1 (on), not 'true'"},
      {"program_id=1.5", "program_id must be a positive integer, not '1.5'"},
      {"base_url=http://", "base_url must be an http:// or https:// URL"},
      {"base_url=http://h/api?x=1", "base_url must be an http:// or https:// URL"},
      {"username=", "username must be a non-empty single line"},
      {"nope=1", "unknown option 'nope'"},
  };
  for (size_t i = 0; i < sizeof(aBad) / sizeof(aBad[0]); i++) {
    char zDesc[200];
    int rc = config(&c, zErr, aBad[i].zOpt, NULL);
    snprintf(zDesc, sizeof(zDesc), "bad option %s: %s", aBad[i].zOpt, aBad[i].zWant);
    check(rc == SMS_ERROR && strncmp(zErr, "sms_messages: ", 14) == 0 &&
              strstr(zErr, aBad[i].zWant),
          zDesc);
    if (rc != -1 || !strstr(zErr, aBad[i].zWant)) printf("#   got: %s\n", zErr);
    sms_config_clear(&c);
  }
  return tap_done();
}
