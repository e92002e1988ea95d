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

/* Whether the tasks of a program tile the window and fetch what they own; zWhy says not. */
static int plan_ok(const SmsPlan *pPlan, const SmsScanSpec *pSpec, char *zWhy) {
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
    } else if (!t->bEdge && nPlain > 1 && t->iFetchHi - t->iFetchLo < SMS_DAY) {
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
    if (!plan_ok(&plan, &spec, zWhy) || plan.nEdgeTask != bEdgeWanted ||
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
  check(plan_ok(&rest, &spec, zWhy), "plan: the sub-windows and the edge hour tile the window");
  /* a plan with the edge hour first: edges_last moves it after the others */
  SmsTask edge = plan.aTask[5];
  memmove(plan.aTask + 2, plan.aTask + 1, 4 * sizeof(SmsTask));
  plan.aTask[1] = edge;
  sms_plan_edges_last(&plan);
  check(plan.aTask[5].bEdge && !plan.aTask[4].bEdge && !plan.aTask[1].bEdge,
        "plan: edges_last puts the edge hours after the sub-windows");
  sms_plan_clear(&plan);
}

int main(void) {
  setenv("SMS_EXPORT_NOW", "2026-06-30T12:00:00", 1);
  test_tiling();
  return tap_done();
}
