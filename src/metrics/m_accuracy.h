/* The accuracy descriptors are declared with every other metric's by
 * RV_METRIC_LIST (metrics/registry.h); this header is that one include. */
#ifndef RV_METRICS_M_ACCURACY_H
#define RV_METRICS_M_ACCURACY_H
#include "metrics/registry.h"
#endif
