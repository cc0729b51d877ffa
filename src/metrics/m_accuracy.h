#ifndef RV_METRICS_M_ACCURACY_H
#define RV_METRICS_M_ACCURACY_H
#include "metrics/registry.h"
extern const rv_metric_t rv_metric_precision, rv_metric_recall, rv_metric_f1, rv_metric_ndcg,
    rv_metric_map, rv_metric_mrr, rv_metric_hit, rv_metric_auc;
#endif
