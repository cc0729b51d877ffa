/* One pass over a scored row for the statistics that need every score: the
 * histogram of mi_score_relevance (scorehist.h) and the AUC counts of the
 * user's test items (scanstats.h), read from the same loads. With AVX2 the
 * two are interleaved so that the histogram's scattered increments (bound
 * by stores) and the AUC compares (bound by vector arithmetic) run side by
 * side; without it, this is rv_hist_row then rv_auc_scan_row. Either way
 * the counts are exactly those of the two separate kernels. */
#ifndef RV_KERNELS_ROWSCAN_H
#define RV_KERNELS_ROWSCAN_H
#include <stdint.h>

#include "kernels/scanstats.h"
#include "kernels/scorehist.h"

/* h: the histogram, or NULL. m test entries (m = 0: none) with items,
 * brackets lo/hi and entry indices j0..j0+m, as rv_auc_scan_row. Returns -1
 * when amb could not grow. */
int rv_scan_row(rv_hist_t *h, const float *s, int n, int32_t t0, int m, const int32_t *items,
                const float *lo, const float *hi, int64_t j0, int64_t *gt, int64_t *eq, rv_amb_t *amb);

#endif
