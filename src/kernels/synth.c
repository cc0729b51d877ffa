#include "kernels/synth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/rng.h"

struct rv_synth_model {
  rv_synth_params_t p;
  int C;
  float *centres;       /* C x dim */
  int32_t *item_cluster;
  int64_t *cl_start;    /* C + 1: items of cluster c are cl_items[cl_start[c] ..) */
  int32_t *cl_items;
  double *cl_cum;       /* cumulative popularity within each cluster's run */
  double *all_cum;      /* cumulative popularity over all items */
};

void rv_synth_params_default(rv_synth_params_t *p) {
  memset(p, 0, sizeof *p);
  p->clusters = 0;
  p->noise = 0.9;
  p->pop_sigma = 1.2;
  p->in_cluster = 0.8;
  p->min_inter = 5;
  p->max_inter = 200;
  p->test_frac = 0.2;
  p->no_test_frac = 0.05;
  p->categories = 0;
  p->graded = 1;
  p->user_embeddings = 1;
}

int rv_synth_clusters(const rv_synth_model_t *m) { return m->C; }

int rv_synth_max_rows(const rv_synth_model_t *m) {
  int64_t cap = m->p.max_inter;
  if (cap > m->p.n_items) cap = m->p.n_items;
  return (int)cap;
}

/* Item i's own stream: cluster, popularity, categories, embedding noise (in
 * that order, so each is reproducible from the item index alone). */
static int item_cluster_draw(rv_rng_t *r, int C) { return (int)rv_rng_below(r, (uint64_t)C); }

int rv_synth_model_create(const rv_synth_params_t *p, rv_synth_model_t **out) {
  *out = NULL;
  rv_synth_model_t *m = calloc(1, sizeof *m);
  if (!m) return -1;
  m->p = *p;
  int C = p->clusters;
  if (C <= 0) {
    C = (int)lround(sqrt((double)p->n_items) / 3.0);
    if (C < 2) C = 2;
    if (C > 256) C = 256;
  }
  if (C > p->n_items) C = (int)p->n_items;
  m->C = C;
  const size_t n = (size_t)p->n_items, d = (size_t)p->dim;
  m->centres = malloc(sizeof(float) * (size_t)C * d);
  m->item_cluster = malloc(sizeof(int32_t) * n);
  m->cl_start = calloc((size_t)C + 1, sizeof(int64_t));
  m->cl_items = malloc(sizeof(int32_t) * n);
  m->cl_cum = malloc(sizeof(double) * n);
  m->all_cum = malloc(sizeof(double) * n);
  double *w = malloc(sizeof(double) * n);
  if (!m->centres || !m->item_cluster || !m->cl_start || !m->cl_items || !m->cl_cum ||
      !m->all_cum || !w) {
    free(w);
    rv_synth_model_destroy(&m);
    return -1;
  }
  for (int c = 0; c < C; c++) {
    rv_rng_t r;
    rv_rng_seed(&r, p->seed, RV_STREAM_GEN_CENTRE, (uint64_t)c);
    for (size_t j = 0; j < d; j++) m->centres[(size_t)c * d + j] = (float)rv_rng_normal(&r);
  }
  double total = 0.0;
  for (size_t i = 0; i < n; i++) {
    rv_rng_t r;
    rv_rng_seed(&r, p->seed, RV_STREAM_GEN_ITEM, i);
    const int c = item_cluster_draw(&r, C);
    m->item_cluster[i] = c;
    w[i] = exp(p->pop_sigma * rv_rng_normal(&r));
    total += w[i];
    m->all_cum[i] = total;
    m->cl_start[c + 1]++;
  }
  for (int c = 0; c < C; c++) m->cl_start[c + 1] += m->cl_start[c];
  int64_t *fill = calloc((size_t)C, sizeof(int64_t));
  if (!fill) {
    free(w);
    rv_synth_model_destroy(&m);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    const int c = m->item_cluster[i];
    const int64_t pos = m->cl_start[c] + fill[c]++;
    m->cl_items[pos] = (int32_t)i;
    m->cl_cum[pos] = (fill[c] == 1 ? 0.0 : m->cl_cum[pos - 1]) + w[i];
  }
  free(fill);
  free(w);
  *out = m;
  return 0;
}

void rv_synth_model_destroy(rv_synth_model_t **pm) {
  if (!pm || !*pm) return;
  rv_synth_model_t *m = *pm;
  free(m->centres);
  free(m->item_cluster);
  free(m->cl_start);
  free(m->cl_items);
  free(m->cl_cum);
  free(m->all_cum);
  free(m);
  *pm = NULL;
}

void rv_synth_item_embedding(const rv_synth_model_t *m, int64_t item, float *out) {
  rv_rng_t r;
  rv_rng_seed(&r, m->p.seed, RV_STREAM_GEN_ITEM, (uint64_t)item);
  (void)item_cluster_draw(&r, m->C); /* replay the stream: cluster, popularity */
  (void)rv_rng_normal(&r);
  const float *c = m->centres + (size_t)m->item_cluster[item] * (size_t)m->p.dim;
  for (int j = 0; j < m->p.dim; j++) out[j] = c[j] + (float)(m->p.noise * rv_rng_normal(&r));
}

/* A user's stream starts with its cluster; embedding noise and rows use
 * sub-streams so that each can be produced without the other. */
static int user_cluster(const rv_synth_model_t *m, int64_t user) {
  rv_rng_t r;
  rv_rng_seed(&r, m->p.seed, RV_STREAM_GEN_USER, (uint64_t)user);
  return (int)rv_rng_below(&r, (uint64_t)m->C);
}

void rv_synth_user_embedding(const rv_synth_model_t *m, int64_t user, float *out) {
  rv_rng_t r;
  rv_rng_seed(&r, m->p.seed ^ 0x5eedu, RV_STREAM_GEN_USER, (uint64_t)user);
  const float *c = m->centres + (size_t)user_cluster(m, user) * (size_t)m->p.dim;
  for (int j = 0; j < m->p.dim; j++) out[j] = c[j] + (float)(m->p.noise * rv_rng_normal(&r));
}

/* First index with cum[idx] > x in cum[lo..hi) (cum increasing). */
static int64_t search_cum(const double *cum, int64_t lo, int64_t hi, double x) {
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (cum[mid] > x)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

static int cmp_i32(const void *a, const void *b) {
  const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

void rv_synth_user_rows(const rv_synth_model_t *m, int64_t user, int32_t *train, int *n_train,
                        int32_t *test, float *test_val, int *n_test, int32_t *scratch) {
  const rv_synth_params_t *p = &m->p;
  rv_rng_t r;
  rv_rng_seed(&r, p->seed, RV_STREAM_GEN_USER, (uint64_t)user);
  const int c = (int)rv_rng_below(&r, (uint64_t)m->C);
  const int cap = rv_synth_max_rows(m);
  /* Skewed activity: a few heavy users, most light. */
  int want = p->min_inter + (int)floor(4.0 * exp(1.1 * rv_rng_normal(&r)));
  if (want > cap) want = cap;
  if (want < 1) want = 1;
  const int64_t c0 = m->cl_start[c], c1 = m->cl_start[c + 1];
  int have = 0;
  for (int attempt = 0; attempt < 8 * want + 64 && have < want; attempt++) {
    int32_t it;
    if (c1 > c0 && rv_rng_uniform(&r) < p->in_cluster) {
      const double x = rv_rng_uniform(&r) * m->cl_cum[c1 - 1];
      int64_t pos = search_cum(m->cl_cum, c0, c1, x);
      if (pos >= c1) pos = c1 - 1;
      it = m->cl_items[pos];
    } else {
      const double x = rv_rng_uniform(&r) * m->all_cum[p->n_items - 1];
      int64_t pos = search_cum(m->all_cum, 0, p->n_items, x);
      if (pos >= p->n_items) pos = p->n_items - 1;
      it = (int32_t)pos;
    }
    int dup = 0;
    for (int t = 0; t < have; t++)
      if (scratch[t] == it) {
        dup = 1;
        break;
      }
    if (!dup) scratch[have++] = it;
  }
  /* Hold out a share as test (none for a few users, at least one train). */
  int nt = 0;
  if (have >= 2 && rv_rng_uniform(&r) >= p->no_test_frac) {
    nt = (int)lround(p->test_frac * have);
    if (nt < 1) nt = 1;
    if (nt > have - 1) nt = have - 1;
  }
  /* Partial Fisher-Yates: the last nt of the drawn items become test. */
  for (int t = 0; t < nt; t++) {
    const int j = have - 1 - t;
    const int s = (int)rv_rng_below(&r, (uint64_t)(j + 1));
    const int32_t tmp = scratch[j];
    scratch[j] = scratch[s];
    scratch[s] = tmp;
  }
  const int ntr = have - nt;
  memcpy(train, scratch, sizeof(int32_t) * (size_t)ntr);
  memcpy(test, scratch + ntr, sizeof(int32_t) * (size_t)nt);
  qsort(train, (size_t)ntr, sizeof(int32_t), cmp_i32);
  qsort(test, (size_t)nt, sizeof(int32_t), cmp_i32);
  /* Graded relevance: stronger for items of the user's own cluster. */
  for (int t = 0; t < nt; t++) {
    const int own = m->item_cluster[test[t]] == c;
    test_val[t] = (float)(1 + own + (rv_rng_uniform(&r) < 0.3));
  }
  *n_train = ntr;
  *n_test = nt;
}

int rv_synth_item_categories(const rv_synth_model_t *m, int64_t item, int32_t out[2]) {
  const int G = m->p.categories;
  if (G <= 0) return 0;
  rv_rng_t r;
  rv_rng_seed(&r, m->p.seed ^ 0xca7u, RV_STREAM_GEN_ITEM, (uint64_t)item);
  int32_t a = m->item_cluster[item] % G;
  if (rv_rng_uniform(&r) >= 0.8) a = (int32_t)rv_rng_below(&r, (uint64_t)G);
  if (rv_rng_uniform(&r) < 0.3) {
    const int32_t b = (int32_t)rv_rng_below(&r, (uint64_t)G);
    if (b != a) {
      out[0] = a < b ? a : b;
      out[1] = a < b ? b : a;
      return 2;
    }
  }
  out[0] = a;
  return 1;
}
