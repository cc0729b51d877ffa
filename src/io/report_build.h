/* The evaluation report assembled from plain values: the Report message
 * (dataset, metrics, counts, timings, grid, conventions, omissions), its two
 * encodings (report.pb, report.json) and the summary printed on the terminal.
 * The engine computes the numbers; what the report says about them (the
 * conventions) is written here once. */
#ifndef RV_IO_REPORT_BUILD_H
#define RV_IO_REPORT_BUILD_H
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "io/dataset.h"
#include "receval.pb-c.h"

/* One reported value; ci_low/ci_high NaN for values that are not means over
 * users (exposure and scan metrics). */
typedef struct rv_report_value {
  const char *name;
  double mean, ci_low, ci_high;
  int64_t users;
} rv_report_value_t;

/* Timings, in this order (seconds, largest rank). */
enum { RV_REPORT_PHASES = 8 };

typedef struct rv_report_in {
  const Receval__JobSpec *job;
  const rv_dataset_t *ds;
  const char *checksum;
  const rv_report_value_t *values; /* report order */
  int n_values;
  int64_t users_evaluated, users_skipped_no_test, users_short_list;
  const double *timings; /* RV_REPORT_PHASES: read, prepare, score, reduce, write_results, total, score_cpu, measure */
  int ranks, grid_users, grid_items;
  int trec;                        /* --convention trec */
  int hist;                        /* mi_score_relevance computed: the bins' grid is reported */
  double hist_width, hist_origin;
  const char *const *src_conv;     /* the list source's conventions ("key=value"), replacing same keys */
  int n_src_conv;
  const Receval__RunInput *run;    /* the list source's input statistics, or NULL */
  const char *const *omitted;
  int n_omitted;
} rv_report_in_t;

/* Local (rank 0): report.pb and report.json at pb_path and json_path (the
 * final names' temporaries), from one Report message. */
rv_err_t rv_report_build_write(const rv_report_in_t *in, const char *pb_path, const char *json_path);
/* Local (rank 0): the terminal summary of a finished job with outputs in dir. */
void rv_report_summary(FILE *out, const rv_report_in_t *in, const char *dir);

#endif
