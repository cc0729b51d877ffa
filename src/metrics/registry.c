#include "metrics/registry.h"

#include <string.h>

/* Report order: RV_METRIC_LIST (registry.h). */
#define RV_METRIC_ENTRY_(n) &rv_metric_##n,
const rv_metric_t *const rv_metric_registry[] = {RV_METRIC_LIST(RV_METRIC_ENTRY_) NULL};

/* Everything that costs no extra work in the scoring pass: auc and
 * mi_score_relevance* count during scoring and are opt-in (or `all`). */
const char rv_metric_default_set[] =
    "precision,recall,f1,ndcg,map,mrr,hit,coverage,gini,entropy,ild,novelty,unexpectedness,"
    "serendipity,personalization,arp,aplt,calibration,mi_user_item,mi_user_item_norm";

const rv_metric_t *rv_metric_find(const char *name) {
  for (int i = 0; rv_metric_registry[i]; i++)
    if (strcmp(rv_metric_registry[i]->name, name) == 0) return rv_metric_registry[i];
  return NULL;
}
