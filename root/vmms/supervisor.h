/*
 * One worker (septum-vmwp) per running VM: spawned with the VM's
 * definition, watched until it answers on its control socket (starting ->
 * running), stopped through the guest's shutdown integration service with
 * a timeout and then forced (SIGTERM, then SIGKILL), reaped on SIGCHLD
 * (or, for a worker found again after a VMMS restart, on its pidfd) with
 * its exit status turned into a state and a reason, and restarted by the
 * VM's policy with a growing delay and a cap.
 *
 * The run dir holds, per VM: NAME.console and NAME.control (the worker's
 * sockets), NAME.log (its stdout and stderr), NAME.worker (record.h).
 */
#ifndef VMMS_SUPERVISOR_H
#define VMMS_SUPERVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rpc.h"
#include "vm.h"

/* vmwp: the worker program (a path, or a name looked up on PATH); umask:
 * the worker's, so its sockets are the management group's. */
void sup_init(const char *vmwp, const char *run_dir, int run_fd, mode_t umask);

/* RUN_DIR/NAME.suffix */
void sup_path(const struct vm *vm, const char *suffix, char *buf, size_t size);

/*
 * Each returns 0 when the change is under way (the VM's waiters are
 * answered when it is done), 1 when it is done already, -1 with err
 * filled when it is not possible. manual: asked by a client (which resets
 * the restart policy's count), not by the policy or autostart.
 */
int sup_start(struct vm *vm, bool manual, struct rpc_error *err);
int sup_stop(struct vm *vm, unsigned timeout_s, struct rpc_error *err);
int sup_kill(struct vm *vm, struct rpc_error *err);

/* Before a VM is undefined (off or crashed): drops its pending restart
 * and its files in the run dir. */
void sup_forget(struct vm *vm);

/* SIGCHLD: reaps every worker that has ended. */
void sup_reap(void);

/*
 * At start-up, once the definitions are loaded: each recorded worker that
 * is still the same process and answers "ping" is adopted (running); one
 * that does not answer is killed, one that is gone reported (crashed);
 * records of undefined VMs are ended. Then autostart VMs are started.
 */
void sup_recover(void);

#endif
