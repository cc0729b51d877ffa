/* What the per-score statistics cost against the score itself, in one
 * process and one run: the sgemm that produces a 256 x 2048 tile of scores
 * at dimension d (the shape receval uses), then, per score of the same tile,
 *   - read:   one vector pass over the rows (the cost of touching them);
 *   - hist:   rv_scan_row with no test entries: the 64-bin histogram of
 *             mi_score_relevance alone;
 *   - auc m:  rv_scan_row with m test entries and no histogram;
 *   - both m: rv_scan_row with the histogram and m test entries (receval's
 *             fused pass for `--metrics all`);
 *   - scatter: the histogram's pair increments alone (a uint32 table of
 *             64 x 64, indices precomputed), the part no vector unit does.
 * Scores are those of random unit vectors, so bins and brackets see a
 * realistic spread. The passes cycle over 16 rows (128 KB, in L2) as
 * receval's pass meets rows the selection has just read; the sgemm writes
 * its whole tile. Prints medians of REPS in ns per score and as a share of
 * the sgemm's time per score.
 * Usage: rv_bench_scan [DIM] [REPS] */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels/rowscan.h"

enum { ROWS = 256, N = 2048 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double unif(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (double)(rng >> 11) * 0x1.0p-53;
}

static void unit_rows(float *x, int n, int d) {
  for (int i = 0; i < n; i++) {
    double ss = 0;
    for (int j = 0; j < d; j++) {
      const double g = sqrt(-2 * log(unif() + 1e-300)) * cos(6.283185307179586 * unif()) + 0.3;
      x[i * d + j] = (float)g, ss += g * g;
    }
    for (int j = 0; j < d; j++) x[i * d + j] = (float)(x[i * d + j] / sqrt(ss));
  }
}

static int cmp_d(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof(double), cmp_d);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static volatile int64_t sink;

int main(int argc, char **argv) {
  const int d = argc > 1 ? atoi(argv[1]) : 64, reps = argc > 2 ? atoi(argv[2]) : 7;
  float *U = malloc(sizeof(float) * ROWS * (size_t)d), *E = malloc(sizeof(float) * N * (size_t)d);
  float *S = calloc((size_t)ROWS * N, sizeof(float));
  int32_t *idx = malloc(sizeof(int32_t) * N);
  uint32_t *T = calloc(64 * 64, sizeof(uint32_t));
  if (!U || !E || !S || !idx || !T) return 1;
  unit_rows(U, ROWS, d);
  unit_rows(E, N, d);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ROWS, N, d, 1.0f, U, d, E, d, 0.0f, S, N);
  double w, o;
  rv_hist_grid(-1, 1, 64, &w, &o);
  rv_hist_t h;
  if (rv_hist_init(&h, 64, w, o, N) != 0) return 1;
  /* Test entries: items of the row, brackets around their scores. */
  int32_t items[4] = {-1, -1, -1, -1};
  float lo[4], hi[4];
  int64_t gt[4], eq[4];
  rv_amb_t amb = {0};
  const char *name[9] = {"sgemm (256 x 2048 x d)", "read (count > 0.5)", "hist", "auc m=1", "auc m=2", "auc m=4",
                         "both m=1", "both m=2", "both m=4"};
  const int ms[9] = {0, 0, 0, 1, 2, 4, 1, 2, 4};
  double t[9][64];
  float *tile = calloc((size_t)ROWS * N, sizeof(float));
  double ts[64];
  for (int r = 0; r < reps && r < 64; r++) {
    double t0 = now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ROWS, N, d, 1.0f, U, d, E, d, 1.0f, tile, N);
    t[0][r] = now() - t0;
    memset(tile, 0, sizeof(float) * ROWS * N);
    for (int v = 1; v < 9; v++) {
      t0 = now();
      for (int q = 0; q < ROWS; q++) {
        const float *row = S + (size_t)(q % 16) * N;
        for (int e = 0; e < ms[v]; e++) { /* test items in this row: brackets around their scores */
          items[e] = (q * 7 + 97 * e) % N;
          const float c = row[items[e]];
          lo[e] = nextafterf(c, -INFINITY), hi[e] = nextafterf(c, INFINITY);
        }
        if (v == 1) {
          int c = 0;
          for (int j = 0; j < N; j++) c += row[j] > 0.5f; /* one vector compare per 8 */
          sink += c;
        } else if (v == 2) {
          rv_scan_row(&h, row, N, 0, 0, items, lo, hi, 0, gt, eq, &amb);
        } else {
          rv_scan_row(v >= 6 ? &h : NULL, row, N, 0, ms[v], items, lo, hi, 0, gt, eq, &amb);
          amb.n = 0;
        }
      }
      t[v][r] = now() - t0;
    }
    /* The pair increments alone. */
    for (int j = 0; j < N / 2; j++) idx[j] = (int32_t)((rng = rng * 6364136223846793005ull + 1) >> 52);
    t0 = now();
    for (int q = 0; q < ROWS; q++)
      for (int j = 0; j < N / 2; j++) T[idx[(j + q) & (N / 2 - 1)]]++;
    ts[r] = now() - t0;
  }
  const int R = reps < 64 ? reps : 64;
  const double per = (double)ROWS * N, sg = median(t[0], R) / per;
  printf("rv_bench_scan: d = %d, %d x %d scores per repetition, medians of %d\n\n", d, ROWS, N, R);
  printf("| pass | ns / score | / sgemm |\n|---|---|---|\n");
  for (int v = 0; v < 9; v++) {
    const double x = median(t[v], R) / per;
    printf("| %s | %.3f | %.3f |\n", name[v], 1e9 * x, x / sg);
  }
  const double x = median(ts, R) / per;
  printf("| scatter (pair increments only) | %.3f | %.3f |\n", 1e9 * x, x / sg);
  free(U), free(E), free(S), free(idx), free(T), free(tile), free(amb.s), free(amb.j);
  rv_hist_free(&h);
  return 0;
}
