/* The hardware floor of full-catalogue scoring: the bare OpenBLAS sgemm that
 * produces the same scores as `receval eval`, over the same user x item
 * blocks, and nothing else (no normalisation, masking, selection or I/O in
 * the timed region). Each rank reads its contiguous half (third, ...) of the
 * users and the whole catalogue from a receval dataset, then times
 *   - "tiled": 256-user panels x 2048-item tiles, the shapes receval uses;
 *   - "wide":  1024-user blocks x the whole catalogue in one call.
 * Prints the slowest rank's time of each (the job ends with the slowest),
 * and the tiled loop's CPU time (slowest rank), which a busy machine
 * disturbs less than the wall time.
 * Usage: mpirun -np P floor DATASET.h5 [REPS]   (prints medians of REPS) */
#include <cblas.h>
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float *read_rows(hid_t f, const char *name, hsize_t r0, hsize_t nr, hsize_t *ncols) {
  hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
  if (ds < 0) return NULL;
  hid_t sp = H5Dget_space(ds);
  hsize_t dims[2];
  H5Sget_simple_extent_dims(sp, dims, NULL);
  if (nr == 0) nr = dims[0];
  *ncols = dims[1];
  float *x = malloc(sizeof(float) * (nr * dims[1] + 1));
  hsize_t start[2] = {r0, 0}, count[2] = {nr, dims[1]};
  H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL);
  hid_t ms = H5Screate_simple(2, count, NULL);
  herr_t st = H5Dread(ds, H5T_NATIVE_FLOAT, ms, sp, H5P_DEFAULT, x);
  H5Sclose(ms);
  H5Sclose(sp);
  H5Dclose(ds);
  if (st < 0) {
    free(x);
    return NULL;
  }
  return x;
}

static hsize_t rows_of(hid_t f, const char *name) {
  hsize_t dims[2] = {0, 0};
  hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
  if (ds < 0) return 0;
  hid_t sp = H5Dget_space(ds);
  H5Sget_simple_extent_dims(sp, dims, NULL);
  H5Sclose(sp);
  H5Dclose(ds);
  return dims[0];
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, np;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &np);
  openblas_set_num_threads(1);
  if (argc < 2) {
    if (rank == 0) fprintf(stderr, "usage: floor DATASET.h5 [REPS]\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  const int reps = argc > 2 ? atoi(argv[2]) : 3;
  hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    fprintf(stderr, "floor: cannot open %s\n", argv[1]);
    MPI_Abort(MPI_COMM_WORLD, 4);
  }
  hsize_t d = 0, d2 = 0;
  const hsize_t nu_all = rows_of(f, "/users/embedding"), ni_h = rows_of(f, "/items/embedding");
  /* Contiguous user ranges on multiples of 256, as receval splits them. */
  const hsize_t panels = (nu_all + 255) / 256;
  const hsize_t p0 = panels * (hsize_t)rank / (hsize_t)np, p1 = panels * (hsize_t)(rank + 1) / (hsize_t)np;
  const hsize_t u0 = p0 * 256, u1 = p1 * 256 < nu_all ? p1 * 256 : nu_all;
  const int nu = (int)(u1 - u0);
  float *V = read_rows(f, "/items/embedding", 0, 0, &d);
  float *U = nu > 0 ? read_rows(f, "/users/embedding", u0, (hsize_t)nu, &d2) : calloc(1, 4);
  H5Fclose(f);
  if (!U || !V || nu_all == 0 || ni_h == 0) {
    fprintf(stderr, "floor: cannot read embeddings from %s\n", argv[1]);
    MPI_Abort(MPI_COMM_WORLD, 4);
  }
  const int ni = (int)ni_h, dim = (int)d;
  const int PR = 256, T = 2048, WB = 1024;
  float *Ut = calloc((size_t)PR * dim, sizeof(float));
  float *C = malloc(sizeof(float) * (size_t)PR * T);
  float *W = malloc(sizeof(float) * (size_t)WB * ni);
  double *tt = malloc(sizeof(double) * (size_t)reps), *tw = malloc(sizeof(double) * (size_t)reps);
  double *tc = malloc(sizeof(double) * (size_t)reps);
  for (int r = 0; r < reps; r++) {
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    const double c0 = cpu_seconds();
    for (int b = 0; b < nu; b += PR) {
      const int nb = nu - b < PR ? nu - b : PR;
      const float *Up = U + (size_t)b * dim;
      if (nb < PR) { /* receval pads the last panel to 256 rows */
        memcpy(Ut, Up, sizeof(float) * (size_t)nb * dim);
        Up = Ut;
      }
      for (int t = 0; t < ni; t += T) {
        const int nt = ni - t < T ? ni - t : T;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, PR, nt, dim, 1.0f, Up, dim,
                    V + (size_t)t * dim, dim, 0.0f, C, T);
      }
    }
    double mine = MPI_Wtime() - t0, cpu = cpu_seconds() - c0;
    MPI_Allreduce(&mine, &tt[r], 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(&cpu, &tc[r], 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
    t0 = MPI_Wtime();
    for (int b = 0; b < nu; b += WB) {
      const int nb = nu - b < WB ? nu - b : WB;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, ni, dim, 1.0f, U + (size_t)b * dim,
                  dim, V, dim, 0.0f, W, ni);
    }
    mine = MPI_Wtime() - t0;
    MPI_Allreduce(&mine, &tw[r], 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  }
  qsort(tt, (size_t)reps, sizeof(double), cmp_double);
  qsort(tw, (size_t)reps, sizeof(double), cmp_double);
  qsort(tc, (size_t)reps, sizeof(double), cmp_double);
  if (rank == 0) {
    const double gflop = 2.0 * (double)nu_all * ni * dim * 1e-9;
    printf("floor tiled=%.4f wide=%.4f tiled_cpu=%.4f ranks=%d reps=%d gflops_per_rank=%.1f\n", tt[reps / 2],
           tw[reps / 2], tc[reps / 2], np, reps, gflop / tt[reps / 2] / np);
  }
  free(U);
  free(V);
  free(Ut);
  free(C);
  free(W);
  free(tt);
  free(tw);
  free(tc);
  MPI_Finalize();
  return 0;
}
