/*
 * The VMs VMMS knows: each definition with its run-time state. The state
 * changes only through vm_set_state, which records why and when, tells
 * event subscribers, and answers the start and stop requests waiting for
 * that change.
 */
#ifndef VMMS_VM_H
#define VMMS_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "loop.h"
#include "server.h"
#include "vmdef.h"

enum vm_timer {
	VM_TIMER_NONE,
	VM_TIMER_PING,	  /* starting: ask the worker again */
	VM_TIMER_STOP,	  /* stopping: the guest's time to power off is over */
	VM_TIMER_KILL,	  /* forced: SIGTERM was not enough, SIGKILL */
	VM_TIMER_RESTART, /* crashed: the restart policy's delay is over */
};

struct vm {
	struct vm *next;
	struct vmdef def;
	enum vmms_state state;
	char reason[384]; /* why it is in that state */
	time_t since;	  /* wall clock of the last change */

	/* The worker, while there is one. */
	pid_t pid;
	unsigned long long starttime; /* /proc/PID/stat's, to know it again */
	bool adopted;		      /* found again after a VMMS restart */
	struct loop_fd pidfd;	      /* adopted: readable once it has exited */
	uint64_t spawned_ms;
	uint64_t start_deadline_ms;
	bool stop_requested; /* stop or kill: its end is no crash */
	bool forced;	     /* SIGTERM sent */
	char stop_note[128]; /* the reason the VM will be off for */
	char fail_note[192]; /* VMMS ended the worker for this */
	bool ping_in_flight;

	/* The last worker's end, for info. */
	int exit_status; /* -1 unknown */
	int exit_signal; /* 0 none */

	unsigned restarts;	 /* by the restart policy, in all */
	unsigned quick_restarts; /* in a row, each after a short run */

	enum vm_timer timer_kind;
	struct timer timer;

	struct reply *start_waiters; /* answered when starting ends */
	struct reply *stop_waiters;  /* answered when it is off */
};

extern struct vm *vm_list; /* sorted by name */

struct vm *vm_find(const char *name);
unsigned vm_count(void);
/* A new VM in state off, or NULL when out of memory. */
struct vm *vm_add(const struct vmdef *def);
void vm_remove(struct vm *vm);

void vm_set_state(struct vm *vm, enum vmms_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* For list and info. */
json_t *vm_summary(const struct vm *vm);
json_t *vm_info(const struct vm *vm);

#endif
