#include "io/report.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/similarity.h"

rv_err_t rv_report_write_pb(const Receval__Report *r, const char *path) {
  rv_err_t err = RV_OK;
  const size_t n = receval__report__get_packed_size(r);
  uint8_t *buf = malloc(n > 0 ? n : 1);
  FILE *f = NULL;
  RV_REQUIRE(buf, RV_ERR_RUNTIME, "out of memory");
  receval__report__pack(r, buf);
  f = fopen(path, "wb");
  if (!f) RV_FAIL(RV_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
  RV_REQUIRE(fwrite(buf, 1, n, f) == n, RV_ERR_IO, "%s: write failed", path);
  const int rc = fclose(f);
  f = NULL;
  RV_REQUIRE(rc == 0, RV_ERR_IO, "%s: close failed: %s", path, strerror(errno));
done:
  if (f) fclose(f);
  free(buf);
  return err;
}

/* JSON has no NaN: an undefined value is null. */
static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* The one mapping from the proto enum: an unknown value reads as cosine. */
static const char *sim_name(Receval__Similarity s) {
  rv_similarity_t sim = RV_SIM_COSINE;
  rv_sim_from_proto((int)s, &sim);
  return rv_sim_name(sim);
}

static json_t *job_json(const Receval__JobSpec *j) {
  json_t *o = json_object();
  json_object_set_new(o, "command", json_string(j->command ? j->command : ""));
  json_object_set_new(o, "dataset", json_string(j->dataset ? j->dataset : ""));
  json_object_set_new(o, "out", json_string(j->out_dir ? j->out_dir : ""));
  json_t *k = json_array();
  for (size_t i = 0; i < j->n_k; i++) json_array_append_new(k, json_integer(j->k[i]));
  json_object_set_new(o, "k", k);
  json_t *m = json_array();
  for (size_t i = 0; i < j->n_metrics; i++) json_array_append_new(m, json_string(j->metrics[i]));
  json_object_set_new(o, "metrics", m);
  json_object_set_new(o, "similarity", json_string(sim_name(j->similarity)));
  json_object_set_new(o, "keep_seen", json_boolean(j->keep_seen));
  json_object_set_new(o, "block_users", json_integer(j->block_users));
  json_object_set_new(o, "item_shards", json_integer(j->item_shards));
  json_object_set_new(o, "seed", json_integer((json_int_t)j->seed));
  if (j->run_file) {
    json_object_set_new(o, "run_file", json_string(j->run_file));
    json_object_set_new(o, "run_order", json_string(j->run_order ? j->run_order : "rank"));
  }
  if (j->model_dir) json_object_set_new(o, "model", json_string(j->model_dir));
  return o;
}

rv_err_t rv_report_write_json(const Receval__Report *r, const char *path) {
  rv_err_t err = RV_OK;
  json_t *root = json_object();
  RV_REQUIRE(root, RV_ERR_RUNTIME, "out of memory");
  json_t *rv = json_object();
  json_object_set_new(rv, "version", json_string(r->version));
  json_object_set_new(rv, "git_revision", json_string(r->git_revision));
  json_object_set_new(root, "receval", rv);
  json_object_set_new(root, "job", job_json(r->job));

  const Receval__DatasetInfo *d = r->dataset;
  json_t *dj = json_object();
  json_object_set_new(dj, "path", json_string(d->path));
  json_object_set_new(dj, "size_bytes", json_integer((json_int_t)d->size_bytes));
  json_object_set_new(dj, "checksum", json_string(d->checksum));
  json_object_set_new(dj, "n_users", json_integer(d->n_users));
  json_object_set_new(dj, "n_items", json_integer(d->n_items));
  json_object_set_new(dj, "dim", json_integer(d->dim));
  json_object_set_new(dj, "train_nnz", json_integer(d->train_nnz));
  json_object_set_new(dj, "test_nnz", json_integer(d->test_nnz));
  json_object_set_new(dj, "has_user_embeddings", json_boolean(d->has_user_embeddings));
  json_object_set_new(dj, "has_test_values", json_boolean(d->has_test_values));
  json_object_set_new(root, "dataset", dj);

  json_t *conv = json_object();
  for (size_t i = 0; i < r->n_conventions; i++) {
    const char *s = r->conventions[i], *eq = strchr(s, '=');
    if (!eq) continue;
    char key[128];
    snprintf(key, sizeof key, "%.*s", (int)(eq - s), s);
    json_object_set_new(conv, key, json_string(eq + 1));
  }
  json_object_set_new(root, "conventions", conv);

  json_t *mj = json_object();
  for (size_t i = 0; i < r->n_metrics; i++) {
    const Receval__MetricValue *m = r->metrics[i];
    json_t *o = json_object();
    json_object_set_new(o, "mean", num(m->mean));
    json_t *ci = json_array();
    json_array_append_new(ci, num(m->ci95_low));
    json_array_append_new(ci, num(m->ci95_high));
    json_object_set_new(o, "ci95", ci);
    json_object_set_new(o, "users", json_integer(m->users));
    json_object_set_new(mj, m->name, o);
  }
  json_object_set_new(root, "metrics", mj);
  json_t *om = json_array();
  for (size_t i = 0; i < r->n_omitted; i++) json_array_append_new(om, json_string(r->omitted[i]));
  json_object_set_new(root, "omitted", om);

  json_t *cj = json_object();
  json_object_set_new(cj, "users", json_integer(r->users));
  json_object_set_new(cj, "users_evaluated", json_integer(r->users_evaluated));
  json_object_set_new(cj, "users_skipped_no_test", json_integer(r->users_skipped_no_test));
  json_object_set_new(cj, "users_short_list", json_integer(r->users_short_list));
  json_object_set_new(root, "counts", cj);
  if (r->run) {
    const Receval__RunInput *ri = r->run;
    json_t *rj = json_object();
    json_object_set_new(rj, "format", json_string(ri->format ? ri->format : ""));
    json_object_set_new(rj, "entries", json_integer(ri->entries));
    json_object_set_new(rj, "users_in_run", json_integer(ri->users_in_run));
    json_object_set_new(rj, "unknown_user_entries", json_integer(ri->unknown_user_entries));
    json_object_set_new(rj, "unknown_items", json_integer(ri->unknown_items));
    json_object_set_new(rj, "duplicates", json_integer(ri->duplicates));
    json_object_set_new(rj, "matched_by_title", json_integer(ri->matched_by_title));
    json_object_set_new(rj, "beyond_kmax", json_integer(ri->beyond_kmax));
    json_object_set_new(root, "run", rj);
  }

  json_t *tj = json_object();
  for (size_t i = 0; i < r->n_timings; i++)
    json_object_set_new(tj, r->timings[i]->phase, json_real(r->timings[i]->seconds));
  json_object_set_new(root, "timings_seconds", tj);

  json_t *pj = json_object();
  json_object_set_new(pj, "ranks", json_integer(r->ranks));
  json_t *grid = json_array();
  json_array_append_new(grid, json_integer(r->grid_users));
  json_array_append_new(grid, json_integer(r->grid_items));
  json_object_set_new(pj, "grid", grid);
  json_object_set_new(root, "parallel", pj);

  /* 17 significant digits: doubles round-trip exactly. */
  if (json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) !=
      0)
    RV_FAIL(RV_ERR_IO, "%s: cannot write the JSON report", path);
done:
  json_decref(root);
  return err;
}
