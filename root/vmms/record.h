/*
 * Worker records: RUN_DIR/NAME.worker holds the worker's pid and its start
 * time from /proc/PID/stat, written (atomically) before the worker may
 * exec, so a VMMS restarted after a crash finds every worker again and
 * never takes a recycled pid for one.
 */
#ifndef VMMS_RECORD_H
#define VMMS_RECORD_H

#include <stdbool.h>
#include <sys/types.h>

#define RECORD_SUFFIX ".worker"

/* Each returns 0, or -1 with errno set. */
int record_write(int run_fd, const char *name, pid_t pid, unsigned long long starttime);
int record_read(int run_fd, const char *name, pid_t *pid, unsigned long long *starttime);
void record_remove(int run_fd, const char *name);

/* Field 22 of /proc/PID/stat: when the process started, in clock ticks
 * since boot. -1 when there is no such process, or it has ended and
 * waits to be reaped (a zombie). */
int proc_starttime(pid_t pid, unsigned long long *starttime);

#endif
