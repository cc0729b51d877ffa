/* The receval executable: start MPI, run the library, report, stop. */
#include <mpi.h>
#include <stdio.h>

#include "receval.h"

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const int code = rv_run(MPI_COMM_WORLD, argc, argv, stdout);
  if (code != 0) {
    if (!rv_last_error_agreed()) {
      /* Another rank may be blocked in a collective: returning would hang it. */
      fprintf(stderr, "receval: error: [rank %d] %s\n", rank, rv_last_error());
      fflush(stderr);
      MPI_Abort(MPI_COMM_WORLD, code);
    }
    if (rank == 0) fprintf(stderr, "receval: %s%s\n", code == 5 ? "" : "error: ", rv_last_error());
  }
  MPI_Finalize();
  return code;
}
