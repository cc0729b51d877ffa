/* SIGTERM and SIGUSR1 during training (Slurm sends them before a time limit
 * or a preemption): the handler only sets a flag; the training loop reads it
 * at every step boundary, where the ranks agree on it inside the step's
 * reduction (train/item_weight.c), checkpoint at the same step and stop. */
#ifndef RV_TRAIN_SIGNALS_H
#define RV_TRAIN_SIGNALS_H

/* Installs the handlers (SA_RESTART) and clears the flag. Local. They stay
 * until the process exits, on purpose: a signal forwarded to a job (srun,
 * mpirun) reaches its ranks at different times, so a rank may get it after
 * the ranks have agreed to stop and checkpointed; with the default action
 * back it would die of it (exit 138 instead of 5: a requeued Slurm job then
 * failed on CI). A late or repeated signal only sets the flag again. */
void rv_signals_install(void);
/* The signal number received since install (0: none). Local. */
int rv_signal_pending(void);

#endif
