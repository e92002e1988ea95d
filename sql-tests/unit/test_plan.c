/*
** test_plan.c: unit tests of sms_plan.c, the planner (no cache, no network).
**
** The central property, over random windows, sub-window counts and clocks: the tasks' own
** ranges tile the window once, with no gap and no overlap, the tasks at its ends owning what
** lies past them; every chain fetches at least what it owns and asks a second more on each
** side; the edge hour is a task of its own exactly when the window starts in it and is
** longer than a day; sub-windows are never shorter than a day. Then the adaptive widening
** (a chain replaced by sub-windows that drop the first page's rows, before the rest of the
** plan) and the parallel order (edge hours last). Prints "ok - ..." / "not ok - ..." lines.
*/
#include "sms_clock.h"
#include "sms_plan.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sms_time t_of(const char *z) {
  sms_time t = 0;
  if (sms_time_parse(z, strlen(z), &t)) {
    printf("# bad test date %s\n", z);
    exit(1);
  }
  return t;
}

static int own_cmp(const void *pA, const void *pB) {
  const SmsTask *a = pA, *b = pB;
  return (a->iOwnLo > b->iOwnLo) - (a->iOwnLo < b->iOwnLo);
}

/* Whether the tasks of a program tile the window and fetch what they own, and with bMinDay
** whether no sub-window is shorter than a day (the adaptive default's prediction sizes its
** sub-windows by pages instead); zWhy says not. */
static int plan_ok(const SmsPlan *pPlan, const SmsScanSpec *pSpec, int bMinDay, char *zWhy) {
  int n = pPlan->nTask;
  SmsTask *a = malloc((n + 1) * sizeof(*a));
  sms_time iEnd = sms_plan_window_end(pSpec);
  int bOk = 1, nPlain = 0;
  for (int i = 0; i < n; i++)
    nPlain += !pPlan->aTask[i].bEdge;
  memcpy(a, pPlan->aTask, n * sizeof(*a));
  qsort(a, n, sizeof(*a), own_cmp);
  if (n < 1 || a[0].iOwnLo != SMS_TIME_MIN || a[n - 1].iOwnHi != SMS_TIME_MAX + 1) {
    sprintf(zWhy, "the ends are not owned (%d tasks)", n);
    bOk = 0;
  }
  for (int i = 0; bOk && i < n; i++) {
    const SmsTask *t = &a[i];
    sms_time iLo = t->iOwnLo == SMS_TIME_MIN ? pSpec->iStart + 1 : t->iOwnLo;
    sms_time iHi = t->iOwnHi == SMS_TIME_MAX + 1 ? iEnd : t->iOwnHi;
    if (i + 1 < n && t->iOwnHi != a[i + 1].iOwnLo) {
      sprintf(zWhy, "task %d ends at %lld, the next starts at %lld", i, t->iOwnHi,
              a[i + 1].iOwnLo);
      bOk = 0;
    } else if (t->iFetchLo > iLo || t->iFetchHi < iHi || t->iOwnLo >= t->iOwnHi) {
      sprintf(zWhy, "task %d fetches [%lld, %lld) and owns [%lld, %lld)", i, t->iFetchLo,
              t->iFetchHi, iLo, iHi);
      bOk = 0;
    } else if (t->iSendStart > (t->iFetchLo == pSpec->iStart ? t->iFetchLo : t->iFetchLo - 1) ||
               (t->bSendEnd &&
                t->iSendEnd < (t->iFetchHi == iEnd ? pSpec->iEnd : t->iFetchHi + 1))) {
      sprintf(zWhy, "task %d does not ask a second more", i);
      bOk = 0;
    } else if (t->bOwnAll != (n == 1)) {
      sprintf(zWhy, "task %d: bOwnAll %d with %d tasks", i, t->bOwnAll, n);
      bOk = 0;
    } else if (bMinDay && !t->bEdge && nPlain > 1 && t->iFetchHi - t->iFetchLo < SMS_DAY) {
      sprintf(zWhy, "task %d: a sub-window shorter than a day", i);
      bOk = 0;
    }
  }
  free(a);
  return bOk;
}

/* An empty plan and miss, and a spec of one program at iNow over cfg. */
static void fresh(SmsPlan *pPlan, SmsPlanMiss *pMiss, SmsScanSpec *pSpec, const SmsConfig *pCfg,
                  sms_time iNow) {
  static const long long aProg[1] = {4711};
  memset(pPlan, 0, sizeof(*pPlan));
  memset(pMiss, 0, sizeof(*pMiss));
  memset(pSpec, 0, sizeof(*pSpec));
  pSpec->pCfg = pCfg;
  pSpec->aProgramId = aProg;
  pSpec->nProgramId = 1;
  pSpec->iNow = iNow;
  pSpec->nPageSize = 500;
}

static void test_tiling(void) {
  SmsConfig cfg;
  SmsScanSpec spec;
  sms_time iNow = t_of("2026-06-30 12:00:00");
  sms_time iEdge = sms_retention_edge("http://127.0.0.1:1/api");
  int nBad = 0, nEdge = 0, nCase = 0;
  char zWhy[200] = "";
  memset(&cfg, 0, sizeof(cfg));
  cfg.zBaseUrl = "http://127.0.0.1:1/api";
  srand(20261206);
  for (int iCase = 0; iCase < 5000; iCase++) {
    SmsPlan plan;
    SmsPlanMiss miss;
    fresh(&plan, &miss, &spec, &cfg, iNow);
    /* a start at the edge (the clamp) or anywhere in the year; an end or none */
    spec.iStart = rand() % 3 == 0 ? iEdge : iEdge + rand() % (365 * SMS_DAY);
    spec.bEnd = rand() % 2;
    spec.iEnd = spec.iStart + 1 + rand() % (rand() % 2 ? 3 * SMS_DAY : 365 * SMS_DAY);
    if (spec.iEnd > iNow) spec.iEnd = iNow;
    if (spec.bEnd && spec.iEnd <= spec.iStart + 1) continue;
    if (!spec.bEnd && iNow <= spec.iStart + 1) continue;
    int nSplit = 1 + rand() % 16;
    sms_time iEnd = sms_plan_window_end(&spec);
    if (sms_plan_program(&plan, &spec, 4711, spec.iStart, iEnd, nSplit, &miss) != SMS_OK) {
      nBad++;
      continue;
    }
    nCase++;
    int bEdgeWanted =
        spec.iStart < iEdge + 3600 && iEnd > iEdge + 3600 && iEnd - spec.iStart > SMS_DAY;
    nEdge += plan.nEdgeTask;
    if (!plan_ok(&plan, &spec, 1, zWhy) || plan.nEdgeTask != bEdgeWanted ||
        plan.nTask > SMS_MAX_PARALLEL || (plan.nTask - plan.nEdgeTask) > nSplit) {
      if (nBad++ == 0) {
        printf("#   case %d: start %lld end %lld (bEnd %d) split %d: %d tasks, %d edge: %s\n",
               iCase, spec.iStart, iEnd, spec.bEnd, nSplit, plan.nTask, plan.nEdgeTask, zWhy);
      }
    }
    sms_plan_clear(&plan);
  }
  check(nBad == 0 && nCase > 4000,
        "plan: random windows are tiled once by the tasks' own ranges");
  check(nEdge > 500, "plan: the edge hour is its own task when the window starts in it");

  /* Widening: the first chain of a year becomes 4 sub-windows, before the rest of the plan. */
  SmsPlan plan;
  SmsPlanMiss miss;
  SmsTask first;
  fresh(&plan, &miss, &spec, &cfg, iNow);
  spec.iStart = iEdge;
  sms_plan_program(&plan, &spec, 4711, spec.iStart, iNow + 1, 1, &miss);
  check(plan.nTask == 2 && plan.aTask[1].bEdge, "plan: a year, one chain and the edge hour");
  check(sms_plan_take(&plan, &first) && !first.bEdge, "plan: take the chain");
  check(sms_plan_widen(&plan, &spec, &first, SMS_ADAPTIVE_WIDTH) == SMS_OK &&
            plan.nTask == 1 + 4 + 1,
        "plan: widen puts 4 sub-windows before the rest");
  int bDrop = 1;
  for (int i = 1; i < 5; i++)
    bDrop &= plan.aTask[i].bDropFirst && !plan.aTask[i].bEdge;
  check(bDrop && !plan.aTask[5].bDropFirst && plan.aTask[5].bEdge,
        "plan: the sub-windows drop the first page's rows, the rest of the plan does not");
  /* the taken chain and its replacement tile the window again */
  SmsPlan rest = plan;
  rest.aTask = plan.aTask + 1;
  rest.nTask = 5; /* with the edge hour, which the chain did not own */
  check(plan_ok(&rest, &spec, 1, zWhy),
        "plan: the sub-windows and the edge hour tile the window");
  /* a plan with the edge hour first: edges_last moves it after the others */
  SmsTask edge = plan.aTask[5];
  memmove(plan.aTask + 2, plan.aTask + 1, 4 * sizeof(SmsTask));
  plan.aTask[1] = edge;
  sms_plan_edges_last(&plan);
  check(plan.aTask[5].bEdge && !plan.aTask[4].bEdge && !plan.aTask[1].bEdge,
        "plan: edges_last puts the edge hours after the sub-windows");
  sms_plan_clear(&plan);
}

/* The adaptive default's prediction (issue 21): pages left from the first page's dates, the
** width that spends the quota well, and the plan after the first page. */
static void test_prediction(void) {
  SmsFirstPage f;
  sms_time iYear = t_of("2025-06-30 13:00:04"), iNow = t_of("2026-06-30 12:00:00");
  memset(&f, 0, sizeof(f));
  f.iLo = iYear;
  f.iHi = iNow + 1;
  f.iMin = iYear + 600;
  f.iMax = iYear + 19 * SMS_DAY - 1; /* 500 rows over 19 days of the year */
  f.nDated = 500;
  f.bByDate = 1;
  double rLeft = sms_plan_pages_left(&f);
  check(rLeft > 18.1 && rLeft < 18.3, "predict: 19 days of 365 on the first page, 18.2 left");
  f.bByDate = 0;
  check(sms_plan_pages_left(&f) == -1, "predict: rows not in date order predict nothing");
  f.bByDate = 1;
  f.nDated = 0;
  check(sms_plan_pages_left(&f) == -1, "predict: no dated row predicts nothing");
  f.nDated = 500;
  f.iMin = iYear - 10;
  check(sms_plan_pages_left(&f) == -1,
        "predict: rows dated before the request predict nothing");
  f.iMin = f.iMax = iYear - 1;
  check(sms_plan_pages_left(&f) == -1,
        "predict: rows all a second before the request (no span to divide by) predict nothing");
  f.iMin = iYear + 600;
  f.iMax = iNow - 1;
  check(sms_plan_pages_left(&f) == 0, "predict: a page up to the end leaves nothing to split");
  f.iMax = iYear + 182 * SMS_DAY; /* half the year on the first page */
  rLeft = sms_plan_pages_left(&f);
  check(rLeft > 0.9 && rLeft < 1.1, "predict: half the year on the first page, one page left");

  /* The width: no widening below 3 pages left, one sub-window per five pages, at most 4,
  ** fewer under a rate limit that fewer lanes fill. */
  check(sms_plan_adaptive_width(-1, 0, 0.1, 4) == -1, "width: no prediction, the equal split");
  check(sms_plan_adaptive_width(0.5, 0, 0.1, 4) == 0, "width: a 2-page scan stays one chain");
  check(sms_plan_adaptive_width(1.9, 0, 0.1, 4) == 0, "width: a 3-page scan stays one chain");
  check(sms_plan_adaptive_width(4, 0, 0.1, 4) == 1,
        "width: a 5-page scan goes on whole, the rest of the plan beside it");
  check(sms_plan_adaptive_width(6, 0, 0.1, 4) == 1, "width: 7 pages, still one chain");
  check(sms_plan_adaptive_width(11, 0, 0.1, 4) == 2, "width: 12 pages, 2 sub-windows");
  check(sms_plan_adaptive_width(18.2, 0, 0.1, 4) == 4, "width: a 20-page year, 4 sub-windows");
  check(sms_plan_adaptive_width(400, 0, 0.1, 4) == 4, "width: never more than the most");
  check(sms_plan_adaptive_width(18.2, 10, 0.15, 4) == 2,
        "width: rate_limit=10 at 150 ms a page: 2 lanes fill it");
  check(sms_plan_adaptive_width(18.2, 5, 0.1, 4) == 1,
        "width: rate_limit=5 at 100 ms a page: one chain fills it, no request more");

  /* The plan after a first page of 19 days: that stretch read again (dropping the page's
  ** rows), then 4 sub-windows none of which asks for a second the page covered. */
  SmsConfig cfg;
  SmsScanSpec spec;
  SmsPlan plan;
  SmsPlanMiss miss;
  SmsTask first;
  char zWhy[200] = "";
  memset(&cfg, 0, sizeof(cfg));
  cfg.zBaseUrl = "http://127.0.0.1:1/api";
  fresh(&plan, &miss, &spec, &cfg, iNow);
  spec.iStart = sms_retention_edge(cfg.zBaseUrl);
  sms_plan_program(&plan, &spec, 4711, spec.iStart, iNow + 1, 1, &miss);
  sms_plan_take(&plan, &first);
  f.iLo = first.iSendStart;
  f.iHi = first.iFetchHi;
  f.iMax = f.iLo + 19 * SMS_DAY - 1;
  rLeft = sms_plan_pages_left(&f);
  check(sms_plan_continue(&plan, &spec, &first, &f, rLeft, 4) == SMS_OK &&
            plan.nTask == 1 + 5 + 1,
        "continue: the stretch read again, 4 sub-windows, then the edge hour");
  const SmsTask *a = plan.aTask + 1;
  int bOk = a[0].bDropFirst && a[0].iSendStart == first.iSendStart && a[0].bSendEnd &&
            a[0].iSendEnd == f.iMax + 3;
  for (int i = 1; i < 5; i++)
    bOk &= !a[i].bDropFirst && a[i].iSendStart > f.iMax && !a[i].bEdge;
  check(bOk, "continue: only the stretch read again drops the page's rows; no later sub-window "
             "asks for a second of it");
  sms_time iUnit = f.iMax - f.iLo + 1;
  check(a[1].iFetchHi - a[1].iFetchLo == (sms_time)(4.5 * iUnit) &&
            a[3].iFetchHi - a[3].iFetchLo == (sms_time)(4.5 * iUnit) &&
            a[4].iFetchHi == first.iFetchHi,
        "continue: sub-windows of 4.5 predicted pages (18.2 / 4, half a page in), the last to "
        "the end");
  SmsPlan rest = plan;
  rest.aTask = plan.aTask + 1;
  rest.nTask = 6;
  check(plan_ok(&rest, &spec, 0, zWhy),
        "continue: the new tasks and the edge hour tile the window");
  sms_plan_clear(&plan);

  /* A window that ends in the future ("this year"): the prediction and the sub-windows stop
  ** at now, where the messages do (the scan predicts over min(end, now + 1)); the last task
  ** reads on to the window's end. A first page of one day of a month: 29 pages left. */
  fresh(&plan, &miss, &spec, &cfg, iNow);
  spec.iStart = iNow - 30 * SMS_DAY;
  spec.bEnd = 1;
  spec.iEnd = iNow + 335 * SMS_DAY;
  sms_plan_program(&plan, &spec, 4711, spec.iStart, spec.iEnd, 1, &miss);
  sms_plan_take(&plan, &first);
  memset(&f, 0, sizeof(f));
  f.iLo = first.iSendStart;
  f.iHi = first.iFetchHi < iNow + 1 ? first.iFetchHi : iNow + 1;
  f.iMin = f.iLo;
  f.iMax = f.iLo + SMS_DAY - 1;
  f.nDated = 500;
  f.bByDate = 1;
  rLeft = sms_plan_pages_left(&f);
  check(rLeft > 28.9 && rLeft < 29.1, "future end: 29 pages left, counted up to now");
  check(sms_plan_continue(&plan, &spec, &first, &f, rLeft, 4) == SMS_OK && plan.nTask == 1 + 5,
        "future end: the stretch read again and 4 sub-windows");
  a = plan.aTask + 1;
  check(a[3].iFetchHi < iNow && a[4].iFetchLo < iNow && a[4].iFetchHi == first.iFetchHi,
        "future end: the sub-windows share the month up to now, the last reads on to the end");
  rest = plan;
  rest.aTask = plan.aTask + 1;
  rest.nTask = 5;
  check(plan_ok(&rest, &spec, 0, zWhy), "future end: the new tasks tile the window");
  sms_plan_clear(&plan);

  /* Random first pages and widths: the tiling holds, and a task that does not drop the
  ** page's rows never asks for a second the page covered. */
  int nBad = 0;
  srand(21);
  for (int iCase = 0; iCase < 2000; iCase++) {
    fresh(&plan, &miss, &spec, &cfg, iNow);
    spec.iStart =
        rand() % 2 ? sms_retention_edge(cfg.zBaseUrl) : iNow - rand() % (300 * SMS_DAY);
    if (iNow - spec.iStart < 3 * SMS_DAY) continue;
    sms_plan_program(&plan, &spec, 4711, spec.iStart, iNow + 1, 1, &miss);
    sms_plan_take(&plan, &first);
    memset(&f, 0, sizeof(f));
    f.iLo = first.iSendStart;
    f.iHi = first.iFetchHi;
    f.iMin = f.iLo + rand() % 100;
    f.iMax = f.iMin + rand() % ((f.iHi - f.iMin) / 3);
    f.nDated = 1 + rand() % 500;
    f.bByDate = 1;
    rLeft = sms_plan_pages_left(&f);
    int k = 1 + rand() % 4;
    if (rLeft < 0 || sms_plan_continue(&plan, &spec, &first, &f, rLeft, k) != SMS_OK) {
      nBad++;
      continue;
    }
    rest = plan;
    rest.aTask = plan.aTask + 1;
    rest.nTask = plan.nTask - 1;
    int bCase = plan_ok(&rest, &spec, 0, zWhy) && rest.nTask <= k + 1 + plan.nEdgeTask;
    for (int i = 0; i < rest.nTask; i++) {
      if (!rest.aTask[i].bDropFirst && !rest.aTask[i].bEdge &&
          rest.aTask[i].iSendStart <= f.iMax)
        bCase = 0;
    }
    if (!bCase && nBad++ == 0) printf("#   case %d: %s\n", iCase, zWhy);
    sms_plan_clear(&plan);
  }
  check(nBad == 0, "continue: random first pages tile the window; the rest never re-reads it");
}

int main(void) {
  setenv("SMS_EXPORT_NOW", "2026-06-30T12:00:00", 1);
  test_tiling();
  test_prediction();
  return tap_done();
}
