/* Descriptors of the beyond-accuracy and information metric families. */
#ifndef RV_METRICS_M_BEYOND_H
#define RV_METRICS_M_BEYOND_H
#include "metrics/registry.h"

extern const rv_metric_t rv_metric_ild, rv_metric_unexpectedness, rv_metric_serendipity;
extern const rv_metric_t rv_metric_novelty, rv_metric_arp, rv_metric_aplt;
extern const rv_metric_t rv_metric_coverage, rv_metric_gini, rv_metric_entropy,
    rv_metric_personalization;
extern const rv_metric_t rv_metric_mi_user_item, rv_metric_mi_user_item_norm,
    rv_metric_mi_score_relevance, rv_metric_mi_score_relevance_norm;
extern const rv_metric_t rv_metric_calibration;
extern const rv_metric_t rv_metric_rmse, rv_metric_logloss; /* m_model.c */

#endif
