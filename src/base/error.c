#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RV_MSG_MAX 1024

/* One message per process: the text that goes with the code being
 * returned up the stack. Codes themselves are always propagated by return. */
static char g_msg[RV_MSG_MAX];
static int g_agreed;
static int g_rank; /* for the trace prefix only; set by rv_run */

void rv_error_set_rank(int rank) { g_rank = rank; }

rv_err_t rv_error_set(rv_err_t code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_msg, sizeof g_msg, fmt, ap);
  va_end(ap);
  /* One line: fold any newline that came in through a value. */
  for (char *p = g_msg; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
  g_agreed = 0;
  return code;
}

const char *rv_error_message(void) { return g_msg[0] ? g_msg : "unspecified error"; }
int rv_error_agreed(void) { return g_agreed; }
void rv_error_clear(void) {
  g_msg[0] = '\0';
  g_agreed = 0;
}

void rv_error_trace(const char *file, int line, const char *func) {
  static int on = -1;
  if (on < 0) on = getenv("RECEVAL_TRACE") != NULL;
  if (!on) return;
  fprintf(stderr, "[%d] trace %s:%d %s\n", g_rank, file, line, func);
}

rv_err_t rv_error_agree(MPI_Comm comm, rv_err_t err) {
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int mine = err != RV_OK ? rank : size, first;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
  if (first == size) return RV_OK;
  int code = (int)err;
  MPI_Bcast(&code, 1, MPI_INT, first, comm);
  char buf[RV_MSG_MAX];
  if (rank == first) memcpy(buf, g_msg, sizeof buf);
  MPI_Bcast(buf, RV_MSG_MAX, MPI_CHAR, first, comm);
  memcpy(g_msg, buf, sizeof g_msg);
  g_msg[RV_MSG_MAX - 1] = '\0';
  g_agreed = 1;
  return (rv_err_t)code;
}
