#include "metrics/registry.h"

#include <string.h>

#include "metrics/m_accuracy.h"

const rv_metric_t *const rv_metric_registry[] = {
    &rv_metric_precision,
    &rv_metric_recall,
    &rv_metric_ndcg,
    &rv_metric_hit,
    NULL,
};

const char rv_metric_default_set[] = "precision,recall,ndcg,hit";

const rv_metric_t *rv_metric_find(const char *name) {
  for (int i = 0; rv_metric_registry[i]; i++)
    if (strcmp(rv_metric_registry[i]->name, name) == 0) return rv_metric_registry[i];
  return NULL;
}
