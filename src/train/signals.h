/* SIGTERM and SIGUSR1 during training (Slurm sends them before a time limit
 * or a preemption): the handler only sets a flag; the training loop reads it
 * at every step boundary, where the ranks agree on it inside the step's
 * reduction (train/item_weight.c), checkpoint at the same step and stop. */
#ifndef RV_TRAIN_SIGNALS_H
#define RV_TRAIN_SIGNALS_H

/* Installs the handlers (SA_RESTART) and clears the flag. Local. */
void rv_signals_install(void);
/* Puts back the handlers that were in place before. Local. */
void rv_signals_restore(void);
/* The signal number received since install (0: none). Local. */
int rv_signal_pending(void);

#endif
