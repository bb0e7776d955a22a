/*
 * septum-vmms: the Virtual Machine Management Service (ARCHITECTURE.md §2
 * decision 7). Keeps the VM definitions in the state dir, runs one worker
 * (septum-vmwp) per running VM and serves the JSON-RPC API
 * (docs/vmms-api.md) on a Unix socket that only root and the management
 * group may use. Single-threaded and event-driven (loop.h).
 *
 * Stopping VMMS (SIGTERM, SIGINT) leaves the VMs running: the next VMMS
 * finds their workers again (supervisor.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"
#include "log.h"
#include "loop.h"
#include "server.h"
#include "supervisor.h"

static struct loop_fd signals = {.fd = -1};

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: septum-vmms [--state-dir DIR] [--run-dir DIR] [--socket PATH]\n"
		"                   [--vmwp PROGRAM] [--group NAME|GID]\n"
		"  --state-dir DIR   VM definitions (default %s)\n"
		"  --run-dir DIR     worker sockets, logs and records (default %s)\n"
		"  --socket PATH     the API socket (default RUN-DIR/%s)\n"
		"  --vmwp PROGRAM    the worker (default septum-vmwp, found on PATH)\n"
		"  --group NAME|GID  who besides root may use the API (default %s)\n"
		"The API is JSON-RPC 2.0, one request per line; see docs/vmms-api.md.\n",
		VMMS_STATE_DIR, VMMS_RUN_DIR, VMMS_SOCKET_NAME, VMMS_GROUP);
	exit(status);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	vmms_log("error: %s", line);
	exit(1);
}

/* A group by name from /etc/group (no NSS in a static binary), or by number. */
static gid_t find_group(const char *name)
{
	char line[1024], *end;
	unsigned long n;
	FILE *f;

	errno = 0;
	n = strtoul(name, &end, 10);
	if (*name && !*end && !errno && n < (gid_t)-1)
		return (gid_t)n;
	f = fopen("/etc/group", "re");
	if (!f)
		return (gid_t)-1;
	while (fgets(line, sizeof(line), f)) {
		char *gname = strtok(line, ":"), *gid;

		if (!gname || strcmp(gname, name) || !strtok(NULL, ":"))
			continue;
		gid = strtok(NULL, ":");
		if (!gid)
			continue;
		n = strtoul(gid, &end, 10);
		if (end != gid && (*end == '\0' || *end == '\n'))
			break;
		n = (unsigned long)-1;
	}
	if (ferror(f) || feof(f))
		n = (unsigned long)-1;
	fclose(f);
	return n < (gid_t)-1 ? (gid_t)n : (gid_t)-1;
}

static void mkdirs(const char *path, mode_t mode)
{
	char buf[VMMS_PATH_MAX + 1], *p;

	if (strlen(path) >= sizeof(buf) || path[0] != '/')
		die("%s: must be an absolute path", path);
	strcpy(buf, path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			die("mkdir %s: %m", buf);
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		die("mkdir %s: %m", buf);
}

static int open_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		die("%s: %m", path);
	return fd;
}

static void on_signal(struct loop_fd *h, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(h->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			sup_reap();
			break;
		case SIGTERM:
		case SIGINT:
			vmms_log("%s: exiting; running VMs keep running", strsignal(si.ssi_signo));
			loop_quit();
			break;
		default:
			break;
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"state-dir", required_argument, NULL, 's'},
	    {"run-dir", required_argument, NULL, 'r'},
	    {"socket", required_argument, NULL, 'S'},
	    {"vmwp", required_argument, NULL, 'w'},
	    {"group", required_argument, NULL, 'g'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *state_dir = VMMS_STATE_DIR, *run_dir = VMMS_RUN_DIR, *socket_path = NULL;
	const char *vmwp = "septum-vmwp", *group_name = VMMS_GROUP;
	char default_socket[VMMS_PATH_MAX + 16];
	int state_fd, run_fd, lock_fd, opt;
	sigset_t mask;
	gid_t gid;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			state_dir = optarg;
			break;
		case 'r':
			run_dir = optarg;
			break;
		case 'S':
			socket_path = optarg;
			break;
		case 'w':
			vmwp = optarg;
			break;
		case 'g':
			group_name = optarg;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(1);
		}
	}
	if (optind != argc)
		usage(1);
	/* Each worker's sockets are RUN_DIR/NAME.console and .control. */
	if (strlen(run_dir) + 1 + VMMS_NAME_MAX + sizeof(".console") >
	    sizeof(((struct sockaddr_un *)0)->sun_path))
		die("%s: too long for the workers' socket paths", run_dir);
	if (!socket_path) {
		snprintf(default_socket, sizeof(default_socket), "%s/%s", run_dir,
			 VMMS_SOCKET_NAME);
		socket_path = default_socket;
	}

	gid = find_group(group_name);
	if (gid == (gid_t)-1)
		vmms_log("warning: no group '%s': only root may use the API", group_name);

	mkdirs(state_dir, 0700);
	state_fd = open_dir(state_dir);
	/* One VMMS per state dir; the lock goes with the process, kill -9 too. */
	lock_fd = openat(state_fd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd < 0)
		die("%s/.lock: %m", state_dir);
	if (flock(lock_fd, LOCK_EX | LOCK_NB))
		die("%s is in use by another septum-vmms", state_dir);

	/* setgid: the workers' sockets and logs belong to the group. */
	mkdirs(run_dir, 0700);
	if (gid != (gid_t)-1 ? chown(run_dir, geteuid(), gid) || chmod(run_dir, 02750)
			     : chmod(run_dir, 0700))
		die("%s: %m", run_dir);
	run_fd = open_dir(run_dir);

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (loop_init())
		die("epoll: %m");
	signals.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	signals.fn = on_signal;
	if (signals.fd < 0 || loop_add(&signals, EPOLLIN))
		die("signalfd: %m");

	sup_init(vmwp, run_dir, run_fd, gid != (gid_t)-1 ? 0007 : 0077);
	api_init(state_fd, state_dir);
	api_load();
	sup_recover();
	if (server_init(socket_path, gid))
		return 1;
	vmms_log("listening on %s (state %s, run %s, worker %s)", socket_path, state_dir, run_dir,
		 vmwp);
	loop_run();
	server_close();
	return 0;
}
