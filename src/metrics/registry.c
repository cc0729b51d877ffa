#include "metrics/registry.h"

#include <string.h>

#include "metrics/m_accuracy.h"
#include "metrics/m_beyond.h"

/* Report order. One line per metric. */
const rv_metric_t *const rv_metric_registry[] = {
    &rv_metric_precision,
    &rv_metric_recall,
    &rv_metric_f1,
    &rv_metric_ndcg,
    &rv_metric_map,
    &rv_metric_mrr,
    &rv_metric_hit,
    &rv_metric_auc,
    &rv_metric_coverage,
    &rv_metric_gini,
    &rv_metric_entropy,
    &rv_metric_ild,
    &rv_metric_novelty,
    &rv_metric_unexpectedness,
    &rv_metric_serendipity,
    &rv_metric_personalization,
    &rv_metric_arp,
    &rv_metric_aplt,
    &rv_metric_calibration,
    &rv_metric_mi_user_item,
    &rv_metric_mi_user_item_norm,
    &rv_metric_mi_score_relevance,
    &rv_metric_mi_score_relevance_norm,
    &rv_metric_rmse,
    &rv_metric_logloss,
    NULL,
};

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
