/*
 * Worker supervision (supervisor.h). Every wait is a timer or a
 * descriptor in the event loop; the one blocking read is the exec check
 * right after fork, which ends as soon as the child has exec'd or failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"
#include "meminfo.h"
#include "record.h"
#include "store.h"
#include "supervisor.h"

#define PING_INTERVAL_MS 100
#define PING_TIMEOUT_MS	 1000
#define START_TIMEOUT_MS 30000 /* to answer on the control socket */
#define CTL_TIMEOUT_MS	 5000
#define FORCE_GRACE_MS	 10000 /* from SIGTERM to SIGKILL */
#define ADOPT_PING_MS	 2000
#define RESTART_BASE_MS	 1000 /* doubled after each quick run */
#define RESTART_MAX_MS	 30000
#define RESTART_LIMIT	 5 /* quick runs in a row before giving up */
#define QUICK_RUN_MS	 60000

/* Exit statuses of septum-vmwp. */
#define VMWP_EXIT_POWEROFF     0
#define VMWP_EXIT_SETUP	       1
#define VMWP_EXIT_TRIPLE_FAULT 3
#define VMWP_EXIT_UNHANDLED    4
#define VMWP_EXIT_SIGTERM      5

static const char *vmwp;
static char run_dir[VMMS_PATH_MAX + 1];
static int run_fd = -1;
static mode_t worker_umask;

/* A control request's context: the VM by name and worker, as either may be
 * gone when the answer comes. */
struct ctx {
	char name[VMMS_NAME_MAX + 1];
	pid_t pid;
};

static void on_timer(struct timer *t);

void sup_init(const char *program, const char *dir, int dir_fd, mode_t mask)
{
	vmwp = program;
	snprintf(run_dir, sizeof(run_dir), "%s", dir);
	run_fd = dir_fd;
	worker_umask = mask;
}

void sup_path(const struct vm *vm, const char *suffix, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.%s", run_dir, vm->def.name, suffix);
}

static void arm(struct vm *vm, enum vm_timer kind, uint64_t ms)
{
	vm->timer_kind = kind;
	vm->timer.fn = on_timer;
	timer_arm(&vm->timer, ms);
}

static void disarm(struct vm *vm)
{
	vm->timer_kind = VM_TIMER_NONE;
	timer_cancel(&vm->timer);
}

static struct ctx *ctx_new(const struct vm *vm)
{
	struct ctx *c = malloc(sizeof(*c));

	if (c) {
		strcpy(c->name, vm->def.name);
		c->pid = vm->pid;
	}
	return c;
}

/* The VM the context was for, if it still has that worker; frees c. */
static struct vm *ctx_vm(struct ctx *c)
{
	struct vm *vm = vm_find(c->name);

	if (vm && vm->pid != c->pid)
		vm = NULL;
	free(c);
	return vm;
}

static void worker_signal(struct vm *vm, int sig)
{
	int r;

	/* An adopted worker is not our child: its pid could be reused once
	 * it ends, its pidfd cannot. */
	if (vm->adopted)
		r = syscall(SYS_pidfd_send_signal, vm->pidfd.fd, sig, NULL, 0);
	else
		r = kill(vm->pid, sig);
	if (r && errno != ESRCH)
		vmms_log("%s: signal %d to worker %d: %m", vm->def.name, sig, (int)vm->pid);
}

/* SIGTERM (the worker's immediate teardown), SIGKILL if that is not enough. */
static void force(struct vm *vm)
{
	vm->forced = true;
	worker_signal(vm, SIGTERM);
	arm(vm, VM_TIMER_KILL, FORCE_GRACE_MS);
}

static void remove_sockets(const struct vm *vm)
{
	char path[VMMS_PATH_MAX + 64];

	sup_path(vm, "console", path, sizeof(path));
	unlink(path);
	sup_path(vm, "control", path, sizeof(path));
	unlink(path);
}

/* ---- start ---- */

static void child_exec(char *const argv[], int go, int status, int log)
{
	sigset_t none;
	int null = open("/dev/null", O_RDWR);
	int e;
	char c;

	/* Its own session: a signal to VMMS's process group or a hangup of
	 * its terminal must not end the VMs. */
	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	umask(worker_umask);
	if (null < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
		_exit(126);
	/* Exec only once the parent has recorded us: a VMMS killed before
	 * that leaves no worker it cannot find. */
	if (read(go, &c, 1) != 1)
		_exit(126);
	execvp(argv[0], argv);
	e = errno;
	if (write(status, &e, sizeof(e)) != sizeof(e))
		_exit(127);
	_exit(127);
}

static int spawn(struct vm *vm, struct rpc_error *err)
{
	static char disk_args[VMMS_DISKS_MAX][VMMS_PATH_MAX + 4];
	char console[VMMS_PATH_MAX + 64], control[VMMS_PATH_MAX + 64], log[VMMS_PATH_MAX + 64];
	char mem[24], vps[8], nic[VMMS_BRIDGE_MAX + 8], console_arg[VMMS_PATH_MAX + 72];
	const struct vmdef *d = &vm->def;
	const char *argv[32 + 2 * VMMS_DISKS_MAX];
	int argc = 0, go[2], status[2], logfd, e;
	unsigned long long starttime;
	unsigned i;
	ssize_t n;
	pid_t pid;
	char g = 'g';

	sup_path(vm, "console", console, sizeof(console));
	sup_path(vm, "control", control, sizeof(control));
	sup_path(vm, "log", log, sizeof(log));
	snprintf(mem, sizeof(mem), "%uM", d->memory_mib);
	snprintf(vps, sizeof(vps), "%u", d->vps);
	snprintf(console_arg, sizeof(console_arg), "unix:%s", console);
	argv[argc++] = vmwp;
	argv[argc++] = "--name";
	argv[argc++] = d->name;
	argv[argc++] = "--kernel";
	argv[argc++] = d->kernel;
	if (d->initrd[0]) {
		argv[argc++] = "--initrd";
		argv[argc++] = d->initrd;
	}
	argv[argc++] = "--cmdline";
	argv[argc++] = d->cmdline;
	argv[argc++] = "--mem";
	argv[argc++] = mem;
	argv[argc++] = "--vps";
	argv[argc++] = vps;
	for (i = 0; i < d->nr_disks; i++) {
		snprintf(disk_args[i], sizeof(disk_args[i]), "%s%s", d->disks[i].path,
			 d->disks[i].read_only ? ",ro" : "");
		argv[argc++] = "--disk";
		argv[argc++] = disk_args[i];
	}
	if (d->bridge[0]) {
		snprintf(nic, sizeof(nic), "bridge:%s", d->bridge);
		argv[argc++] = "--nic";
		argv[argc++] = nic;
	}
	argv[argc++] = "--console";
	argv[argc++] = console_arg;
	argv[argc++] = "--control";
	argv[argc++] = control;
	argv[argc] = NULL;

	remove_sockets(vm);
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (logfd < 0)
		return rpc_fail(err, VMMS_ERR_IO, "", "%s: %s", log, strerror(errno));
	if (pipe2(go, O_CLOEXEC)) {
		close(logfd);
		return rpc_fail(err, VMMS_ERR_INTERNAL, "", "pipe: %s", strerror(errno));
	}
	if (pipe2(status, O_CLOEXEC)) {
		close(logfd);
		close(go[0]);
		close(go[1]);
		return rpc_fail(err, VMMS_ERR_INTERNAL, "", "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid == 0)
		child_exec((char *const *)argv, go[0], status[1], logfd);
	e = errno;
	close(go[0]);
	close(status[1]);
	close(logfd);
	if (pid < 0) {
		close(go[1]);
		close(status[0]);
		return rpc_fail(err, VMMS_ERR_INTERNAL, "", "fork: %s", strerror(e));
	}
	if (proc_starttime(pid, &starttime) || record_write(run_fd, d->name, pid, starttime)) {
		e = errno;
		close(go[1]); /* the child exits without exec */
		close(status[0]);
		waitpid(pid, NULL, 0);
		return rpc_fail(err, VMMS_ERR_IO, "", "%s/%s%s: %s", run_dir, d->name,
				RECORD_SUFFIX, strerror(e));
	}
	if (write(go[1], &g, 1) != 1)
		vmms_log("%s: waking the worker: %m", d->name);
	close(go[1]);
	do
		n = read(status[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(status[0]);
	if (n == sizeof(e)) {
		waitpid(pid, NULL, 0);
		record_remove(run_fd, d->name);
		return rpc_fail(err, VMMS_ERR_WORKER, "", "cannot run %s: %s", vmwp, strerror(e));
	}
	vm->pid = pid;
	vm->starttime = starttime;
	vm->adopted = false;
	vm->spawned_ms = loop_now_ms();
	vmms_log("%s: worker %d started", d->name, (int)pid);
	return 0;
}

int sup_start(struct vm *vm, bool manual, struct rpc_error *err)
{
	unsigned long long avail, reserved = 0, need;
	struct vmdef_error derr;
	struct vm *v;

	if (vm->state != VMMS_STATE_OFF && vm->state != VMMS_STATE_CRASHED)
		return rpc_fail(err, VMMS_ERR_STATE, "", "vm '%s' is %s", vm->def.name,
				vmms_state_name(vm->state));
	if (vmdef_check_files(&vm->def, &derr))
		return rpc_fail(err, VMMS_ERR_INVALID, derr.key, "%s", derr.message);
	if (meminfo_available_mib(&avail))
		return rpc_fail(err, VMMS_ERR_INTERNAL, "", "/proc/meminfo: %s", strerror(errno));
	/* Workers still starting may not have taken their memory yet. */
	for (v = vm_list; v; v = v->next)
		if (v->state == VMMS_STATE_STARTING)
			reserved += v->def.memory_mib;
	avail = avail > reserved ? avail - reserved : 0;
	need = (unsigned long long)vm->def.memory_mib + VMMS_MEM_OVERHEAD_MIB;
	if (need > avail)
		return rpc_fail(err, VMMS_ERR_NO_MEMORY, "memory",
				"needs %llu MiB (%u MiB and %d MiB overhead), %llu MiB available",
				need, vm->def.memory_mib, VMMS_MEM_OVERHEAD_MIB, avail);
	if (spawn(vm, err))
		return -1;
	if (manual)
		vm->quick_restarts = 0;
	vm->stop_requested = false;
	vm->forced = false;
	vm->stop_note[0] = '\0';
	vm->fail_note[0] = '\0';
	vm->ping_in_flight = false;
	vm->start_deadline_ms = loop_now_ms() + START_TIMEOUT_MS;
	arm(vm, VM_TIMER_PING, PING_INTERVAL_MS);
	if (manual)
		vm_set_state(vm, VMMS_STATE_STARTING, "worker %d started", (int)vm->pid);
	else
		vm_set_state(vm, VMMS_STATE_STARTING, "worker %d started (restart %u by policy)",
			     (int)vm->pid, vm->restarts);
	return 0;
}

static void ping_done(void *arg, json_t *reply, const char *error)
{
	struct vm *vm = ctx_vm(arg);

	(void)reply;
	if (!vm)
		return;
	vm->ping_in_flight = false;
	if (vm->state != VMMS_STATE_STARTING)
		return;
	if (error) {
		arm(vm, VM_TIMER_PING, PING_INTERVAL_MS);
		return;
	}
	disarm(vm);
	vm_set_state(vm, VMMS_STATE_RUNNING, "worker %d answers", (int)vm->pid);
}

static void ping(struct vm *vm)
{
	char control[VMMS_PATH_MAX + 64], err[256];
	struct ctx *c;

	if (loop_now_ms() >= vm->start_deadline_ms) {
		snprintf(vm->fail_note, sizeof(vm->fail_note),
			 "worker crash: no answer on its control socket within %d s; killed",
			 START_TIMEOUT_MS / 1000);
		vm->forced = true;
		worker_signal(vm, SIGKILL);
		return;
	}
	if (vm->ping_in_flight)
		return;
	sup_path(vm, "control", control, sizeof(control));
	c = ctx_new(vm);
	if (c && !ctl_request(control, "ping", PING_TIMEOUT_MS, ping_done, c, err, sizeof(err))) {
		vm->ping_in_flight = true;
		return;
	}
	/* Most likely the socket is not there yet. */
	free(c);
	arm(vm, VM_TIMER_PING, PING_INTERVAL_MS);
}

/* ---- stop, kill ---- */

static void shutdown_done(void *arg, json_t *reply, const char *error)
{
	struct vm *vm = ctx_vm(arg);

	(void)reply;
	if (!vm || vm->state != VMMS_STATE_STOPPING || vm->forced || !error)
		return;
	snprintf(vm->stop_note, sizeof(vm->stop_note),
		 "stopped (forced: graceful shutdown failed: %.80s)", error);
	vmms_log("%s: graceful shutdown failed: %s; forcing", vm->def.name, error);
	force(vm);
}

/* A crashed VM waiting to be restarted, or an off one under "always". */
static int cancel_restart(struct vm *vm, const char *note)
{
	disarm(vm);
	vm_set_state(vm, VMMS_STATE_OFF, "%s", note);
	return 1;
}

int sup_stop(struct vm *vm, unsigned timeout_s, struct rpc_error *err)
{
	char control[VMMS_PATH_MAX + 64], e[256];
	struct ctx *c;

	switch (vm->state) {
	case VMMS_STATE_OFF:
		if (vm->timer_kind == VM_TIMER_RESTART)
			return cancel_restart(vm, "stopped (restart cancelled)");
		return rpc_fail(err, VMMS_ERR_STATE, "", "vm '%s' is off", vm->def.name);
	case VMMS_STATE_CRASHED:
		return cancel_restart(vm, "stopped (was crashed)");
	case VMMS_STATE_STOPPING:
		return 0;
	case VMMS_STATE_STARTING:
		vm->stop_requested = true;
		snprintf(vm->stop_note, sizeof(vm->stop_note), "stopped (forced: still starting)");
		vm_set_state(vm, VMMS_STATE_STOPPING, "stop requested while starting");
		force(vm);
		return 0;
	default:
		break;
	}
	vm->stop_requested = true;
	snprintf(vm->stop_note, sizeof(vm->stop_note), "stopped");
	vm_set_state(vm, VMMS_STATE_STOPPING, "shutdown requested (forced after %u s)", timeout_s);
	if (!timeout_s) {
		snprintf(vm->stop_note, sizeof(vm->stop_note), "stopped (forced: timeout 0)");
		force(vm);
		return 0;
	}
	arm(vm, VM_TIMER_STOP, (uint64_t)timeout_s * 1000);
	sup_path(vm, "control", control, sizeof(control));
	c = ctx_new(vm);
	if (!c)
		snprintf(e, sizeof(e), "out of memory");
	if (!c ||
	    ctl_request(control, "shutdown", CTL_TIMEOUT_MS, shutdown_done, c, e, sizeof(e))) {
		free(c);
		snprintf(vm->stop_note, sizeof(vm->stop_note),
			 "stopped (forced: graceful shutdown failed: %.80s)", e);
		force(vm);
	}
	return 0;
}

int sup_kill(struct vm *vm, struct rpc_error *err)
{
	switch (vm->state) {
	case VMMS_STATE_OFF:
		if (vm->timer_kind == VM_TIMER_RESTART)
			return cancel_restart(vm, "killed (restart cancelled)");
		return rpc_fail(err, VMMS_ERR_STATE, "", "vm '%s' is off", vm->def.name);
	case VMMS_STATE_CRASHED:
		return cancel_restart(vm, "killed (was crashed)");
	default:
		break;
	}
	vm->stop_requested = true;
	snprintf(vm->stop_note, sizeof(vm->stop_note), "killed");
	if (vm->state != VMMS_STATE_STOPPING)
		vm_set_state(vm, VMMS_STATE_STOPPING, "kill requested");
	if (!vm->forced)
		force(vm);
	return 0;
}

void sup_forget(struct vm *vm)
{
	char log[VMMS_PATH_MAX + 64];

	disarm(vm);
	sup_path(vm, "log", log, sizeof(log));
	unlink(log);
	remove_sockets(vm);
	record_remove(run_fd, vm->def.name);
}

/* ---- the end of a worker ---- */

/* The last line the worker wrote, printable, for the reason of a setup error. */
static void last_log_line(const struct vm *vm, char *out, size_t size)
{
	char path[VMMS_PATH_MAX + 64], buf[512];
	struct stat st;
	ssize_t n;
	char *end, *start, *p;
	int fd;

	out[0] = '\0';
	sup_path(vm, "log", path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (fstat(fd, &st)) {
		close(fd);
		return;
	}
	n = pread(fd, buf, sizeof(buf) - 1,
		  st.st_size > (off_t)sizeof(buf) - 1 ? st.st_size - (off_t)(sizeof(buf) - 1) : 0);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	end = buf + n;
	while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	start = memrchr(buf, '\n', end - buf);
	start = start ? start + 1 : buf;
	for (p = start; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	n = strnlen(start, size - 1);
	memcpy(out, start, n);
	out[n] = '\0';
}

static enum vmms_state describe_exit(const struct vm *vm, int wstatus, char *reason, size_t size)
{
	char line[256];
	int code;

	if (WIFSIGNALED(wstatus)) {
		snprintf(reason, size, "worker crash: killed by signal %d (%s)", WTERMSIG(wstatus),
			 strsignal(WTERMSIG(wstatus)));
		return VMMS_STATE_CRASHED;
	}
	code = WEXITSTATUS(wstatus);
	switch (code) {
	case VMWP_EXIT_POWEROFF:
		snprintf(reason, size, "guest powered off");
		return VMMS_STATE_OFF;
	case VMWP_EXIT_TRIPLE_FAULT:
		snprintf(reason, size, "guest crash: triple fault (worker exit status 3)");
		return VMMS_STATE_CRASHED;
	case VMWP_EXIT_UNHANDLED:
		snprintf(reason, size,
			 "guest crash: unhandled guest action (worker exit status 4)");
		return VMMS_STATE_CRASHED;
	case VMWP_EXIT_SETUP:
		last_log_line(vm, line, sizeof(line));
		snprintf(reason, size, "worker crash: setup failed (exit status 1)%s%s",
			 line[0] ? ": " : "", line);
		return VMMS_STATE_CRASHED;
	case VMWP_EXIT_SIGTERM:
		snprintf(reason, size, "worker crash: terminated by a SIGTERM not from vmms");
		return VMMS_STATE_CRASHED;
	default:
		snprintf(reason, size, "worker crash: exit status %d", code);
		return VMMS_STATE_CRASHED;
	}
}

/* Appends the restart policy's decision to reason; arms the restart. */
static void plan_restart(struct vm *vm, enum vmms_state state, uint64_t ran_ms, char *reason,
			 size_t size)
{
	size_t n = strlen(reason);
	uint64_t delay;

	if (vm->def.restart == VMDEF_RESTART_NEVER ||
	    (vm->def.restart == VMDEF_RESTART_ON_CRASH && state != VMMS_STATE_CRASHED))
		return;
	if (ran_ms >= QUICK_RUN_MS)
		vm->quick_restarts = 0;
	if (vm->quick_restarts >= RESTART_LIMIT) {
		snprintf(reason + n, size - n,
			 "; not restarted: %d restarts in a row each ran less than %d s",
			 RESTART_LIMIT, QUICK_RUN_MS / 1000);
		return;
	}
	delay = (uint64_t)RESTART_BASE_MS << vm->quick_restarts;
	if (delay > RESTART_MAX_MS)
		delay = RESTART_MAX_MS;
	vm->quick_restarts++;
	snprintf(reason + n, size - n, "; restart in %llu s", (unsigned long long)delay / 1000);
	arm(vm, VM_TIMER_RESTART, delay);
}

/* known: wstatus is the worker's; not so for one adopted (not our child). */
static void worker_ended(struct vm *vm, bool known, int wstatus)
{
	uint64_t ran_ms = loop_now_ms() - vm->spawned_ms;
	enum vmms_state state;
	char reason[384];

	disarm(vm);
	if (vm->adopted) {
		loop_del(&vm->pidfd);
		close(vm->pidfd.fd);
		vm->pidfd.fd = -1;
	}
	vmms_log("%s: worker %d ended (%s)", vm->def.name, (int)vm->pid,
		 !known			? "status unknown"
		 : WIFSIGNALED(wstatus) ? strsignal(WTERMSIG(wstatus))
					: "exited");
	record_remove(run_fd, vm->def.name);
	remove_sockets(vm);
	vm->exit_status = known && WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	vm->exit_signal = known && WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;

	if (vm->stop_requested) {
		state = VMMS_STATE_OFF;
		snprintf(reason, sizeof(reason), "%s", vm->stop_note);
	} else if (vm->fail_note[0]) {
		state = VMMS_STATE_CRASHED;
		snprintf(reason, sizeof(reason), "%s", vm->fail_note);
	} else if (!known) {
		state = VMMS_STATE_CRASHED;
		snprintf(reason, sizeof(reason),
			 "worker crash: worker %d ended; its exit status is unknown (adopted after "
			 "a vmms restart)",
			 (int)vm->pid);
	} else {
		state = describe_exit(vm, wstatus, reason, sizeof(reason));
	}
	vm->pid = 0;
	vm->adopted = false;
	vm->forced = false;
	vm->ping_in_flight = false;
	if (!vm->stop_requested)
		plan_restart(vm, state, ran_ms, reason, sizeof(reason));
	vm->stop_requested = false;
	vm_set_state(vm, state, "%s", reason);
}

void sup_reap(void)
{
	struct vm *vm;
	int wstatus;
	pid_t pid;

	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		for (vm = vm_list; vm; vm = vm->next) {
			if (vm->pid == pid && !vm->adopted) {
				worker_ended(vm, true, wstatus);
				break;
			}
		}
	}
}

static void on_adopted_exit(struct loop_fd *h, uint32_t events)
{
	struct vm *vm = (struct vm *)((char *)h - offsetof(struct vm, pidfd));

	(void)events;
	worker_ended(vm, false, 0);
}

static void on_timer(struct timer *t)
{
	struct vm *vm = (struct vm *)((char *)t - offsetof(struct vm, timer));
	enum vm_timer kind = vm->timer_kind;
	struct rpc_error err;

	vm->timer_kind = VM_TIMER_NONE;
	switch (kind) {
	case VM_TIMER_PING:
		if (vm->state == VMMS_STATE_STARTING)
			ping(vm);
		break;
	case VM_TIMER_STOP:
		snprintf(vm->stop_note, sizeof(vm->stop_note),
			 "stopped (forced: the guest did not power off in time)");
		vmms_log("%s: the guest did not power off in time; forcing", vm->def.name);
		force(vm);
		break;
	case VM_TIMER_KILL:
		vmms_log("%s: worker %d still there after SIGTERM; SIGKILL", vm->def.name,
			 (int)vm->pid);
		worker_signal(vm, SIGKILL);
		break;
	case VM_TIMER_RESTART:
		if (vm->state != VMMS_STATE_OFF && vm->state != VMMS_STATE_CRASHED)
			break;
		vm->restarts++;
		if (sup_start(vm, false, &err))
			vm_set_state(vm, VMMS_STATE_CRASHED, "restart failed: %s", err.message);
		break;
	case VM_TIMER_NONE:
		break;
	}
}

/* ---- after a VMMS restart ---- */

static void adopt(struct vm *vm)
{
	char control[VMMS_PATH_MAX + 64], err[256];
	unsigned long long recorded, now;
	pid_t pid;
	int fd;

	if (record_read(run_fd, vm->def.name, &pid, &recorded))
		return;
	/* The pidfd first, then the start time: if they match, the pidfd is
	 * the recorded worker's and stays so. */
	fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 || proc_starttime(pid, &now) || now != recorded) {
		if (fd >= 0)
			close(fd);
		record_remove(run_fd, vm->def.name);
		remove_sockets(vm);
		vm->exit_status = -1;
		vm_set_state(vm, VMMS_STATE_CRASHED,
			     "worker crash: worker %d ended while vmms was not running; its exit "
			     "status is unknown",
			     (int)pid);
		return;
	}
	sup_path(vm, "control", control, sizeof(control));
	if (ctl_call(control, "ping", ADOPT_PING_MS, err, sizeof(err))) {
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		close(fd);
		record_remove(run_fd, vm->def.name);
		remove_sockets(vm);
		vm->exit_status = -1;
		vm->exit_signal = SIGKILL;
		vm_set_state(
		    vm, VMMS_STATE_CRASHED,
		    "worker crash: worker %d did not answer after a vmms restart (%.100s); "
		    "killed",
		    (int)pid, err);
		return;
	}
	vm->pid = pid;
	vm->starttime = recorded;
	vm->adopted = true;
	vm->spawned_ms = loop_now_ms();
	vm->pidfd.fd = fd;
	vm->pidfd.fn = on_adopted_exit;
	if (loop_add(&vm->pidfd, EPOLLIN))
		vmms_log("%s: epoll on worker %d: %m", vm->def.name, (int)pid);
	vmms_log("%s: worker %d found again", vm->def.name, (int)pid);
	vm_set_state(vm, VMMS_STATE_RUNNING, "worker %d found again after a vmms restart",
		     (int)pid);
}

/* Records whose VM is no longer defined: end those workers. */
static void end_strays(void)
{
	int fd = openat(run_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		char name[VMMS_NAME_MAX + 1];
		size_t n = strlen(de->d_name), k = strlen(RECORD_SUFFIX);
		unsigned long long recorded, now;
		pid_t pid;
		int pfd;

		if (n <= k || n - k > VMMS_NAME_MAX || strcmp(de->d_name + n - k, RECORD_SUFFIX))
			continue;
		memcpy(name, de->d_name, n - k);
		name[n - k] = '\0';
		if (!vmdef_name_valid(name) || vm_find(name))
			continue;
		if (!record_read(run_fd, name, &pid, &recorded)) {
			pfd = syscall(SYS_pidfd_open, pid, 0);
			if (pfd >= 0 && !proc_starttime(pid, &now) && now == recorded) {
				vmms_log("worker %d of undefined vm '%s': ending it", (int)pid,
					 name);
				syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0);
			}
			if (pfd >= 0)
				close(pfd);
		}
		record_remove(run_fd, name);
	}
	closedir(d);
}

void sup_recover(void)
{
	struct rpc_error err;
	struct vm *vm;

	for (vm = vm_list; vm; vm = vm->next)
		adopt(vm);
	end_strays();
	for (vm = vm_list; vm; vm = vm->next) {
		if (!vm->def.autostart ||
		    (vm->state != VMMS_STATE_OFF && vm->state != VMMS_STATE_CRASHED))
			continue;
		if (sup_start(vm, true, &err))
			vmms_log("%s: autostart: %s", vm->def.name, err.message);
	}
}
