/* Errors: codes, one message per process, agreement across ranks.
 *
 * Every fallible function returns rv_err_t (RV_OK = 0) and leaves a one-line
 * message (file, dataset, row, value) with rv_error_set(). Before taking a
 * branch that other ranks must also take, ranks agree with rv_error_agree():
 * the lowest failing rank's code and message become everyone's. Only main()
 * turns an error that was not agreed into MPI_Abort. */
#ifndef RV_BASE_ERROR_H
#define RV_BASE_ERROR_H
#include <mpi.h>
#include <stdarg.h>

/* Exit codes (docs/design.md section "Exit codes"). */
typedef enum rv_err {
  RV_OK = 0,
  RV_ERR_RUNTIME = 1, /* runtime failure (allocation, MPI, numerical) */
  RV_ERR_USAGE = 2,   /* bad command line */
  RV_ERR_DATA = 3,    /* invalid input data */
  RV_ERR_IO = 4,      /* file system or HDF5 I/O failure */
  RV_ERR_INTERRUPTED = 5 /* training stopped by SIGTERM/SIGUSR1, checkpoint written */
} rv_err_t;

/* Records a formatted message and returns code. Local. */
rv_err_t rv_error_set(rv_err_t code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *rv_error_message(void);
/* 1 when the current error was agreed by all ranks of some communicator. */
int rv_error_agreed(void);
void rv_error_clear(void);
/* The rank printed by rv_error_trace (rv_run sets it from its communicator). */
void rv_error_set_rank(int rank);
/* Appends "[rank] file:line func" when RECEVAL_TRACE is set (debugging). */
void rv_error_trace(const char *file, int line, const char *func);

/* Collective on comm. Returns RV_OK on every rank if err == RV_OK on every
 * rank; otherwise the code and message of the lowest failing rank, on every
 * rank, and marks the error agreed. */
rv_err_t rv_error_agree(MPI_Comm comm, rv_err_t err);

/* Within a function that declares `rv_err_t err = RV_OK;` and a `done:` label. */
#define RV_TRY(expr)                                  \
  do {                                                \
    err = (expr);                                     \
    if (err != RV_OK) {                               \
      rv_error_trace(__FILE__, __LINE__, __func__);   \
      goto done;                                      \
    }                                                 \
  } while (0)
#define RV_FAIL(code, ...)                  \
  do {                                      \
    err = rv_error_set((code), __VA_ARGS__); \
    goto done;                              \
  } while (0)
#define RV_REQUIRE(cond, code, ...)             \
  do {                                          \
    if (!(cond)) RV_FAIL((code), __VA_ARGS__);  \
  } while (0)
/* Agree, then leave together if anyone failed. */
#define RV_AGREE(comm)                                  \
  do {                                                  \
    err = rv_error_agree((comm), err);                  \
    if (err != RV_OK) goto done;                        \
  } while (0)
#define RV_MPI_TRY(call)                                                          \
  do {                                                                            \
    int mpi_rc_ = (call);                                                         \
    if (mpi_rc_ != MPI_SUCCESS) RV_FAIL(RV_ERR_RUNTIME, "MPI call failed: %s", #call); \
  } while (0)

#endif
