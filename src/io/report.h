/* The evaluation report: report.pb (receval.Report) and report.json, both
 * written from the same message by rank 0 under temporary names. */
#ifndef RV_IO_REPORT_H
#define RV_IO_REPORT_H
#include "base/error.h"
#include "receval.pb-c.h"

/* Local (rank 0). Writes path (the final name's temporary). */
rv_err_t rv_report_write_pb(const Receval__Report *r, const char *path);
rv_err_t rv_report_write_json(const Receval__Report *r, const char *path);

#endif
