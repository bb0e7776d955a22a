/*
 * fake-vmwp: stands in for septum-vmwp in tests/vmms/api-test.sh. Takes
 * the same options, checks the files as the real one does (exit 1 with a
 * message when one is missing), listens on the console and control
 * sockets and answers the control commands (ping, shutdown, reboot,
 * stats); the console echoes what it gets, and what it writes while
 * nobody is attached waits in a 64 KiB ring, replayed on attach.
 * "shutdown" powers off (exit 0); SIGTERM exits 5.
 *
 * The test steers it through the guest command line:
 *   fake.shutdown=ignore   say ok to shutdown but never power off
 *   fake.shutdown=refuse   answer shutdown with ok:false
 *   fake.exit=STATUS@MS    exit with STATUS MS milliseconds after start
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RING_SIZE (64 * 1024)
#define MAX_DISKS 16

static const char *name = "?", *console_path, *control_path;
static volatile sig_atomic_t terminated;
static char ring[RING_SIZE];
static size_t ring_len, ring_head;
static int console_client = -1;
static unsigned long long reads, intercepts;
static unsigned nr_disks;
static bool nic;

static void logmsg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmwp[%s]: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void cleanup(void)
{
	if (console_path)
		unlink(console_path);
	if (control_path)
		unlink(control_path);
}

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmwp[%s]: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup();
	exit(status);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		die(1, "%s: cannot listen", path);
	strcpy(sa.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 8))
		die(1, "%s: %s", path, strerror(errno));
	return fd;
}

/* Guest output: to the attached client, else into the ring. */
static void console_out(const char *p, size_t n)
{
	if (console_client >= 0 && send(console_client, p, n, MSG_NOSIGNAL) == (ssize_t)n)
		return;
	for (size_t i = 0; i < n; i++) {
		ring[(ring_head + ring_len) % RING_SIZE] = p[i];
		if (ring_len < RING_SIZE)
			ring_len++;
		else
			ring_head = (ring_head + 1) % RING_SIZE;
	}
}

static void console_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_out(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void console_attach(int fd)
{
	if (console_client >= 0) {
		close(fd);
		return;
	}
	console_client = fd;
	while (ring_len) {
		size_t n = ring_len < RING_SIZE - ring_head ? ring_len : RING_SIZE - ring_head;

		if (send(fd, ring + ring_head, n, MSG_NOSIGNAL) != (ssize_t)n)
			break;
		ring_head = (ring_head + n) % RING_SIZE;
		ring_len -= n;
	}
}

/* One line in, one JSON line out, then close. */
static int control(int fd, const char *shutdown_mode, double *power_off_at)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char line[128], reply[512];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(line) - 1 && poll(&p, 1, 1000) == 1) {
		n = read(fd, line + len, sizeof(line) - 1 - len);
		if (n <= 0)
			break;
		len += n;
		if (memchr(line, '\n', len))
			break;
	}
	line[len] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	intercepts += 7;
	if (!strcmp(line, "ping")) {
		snprintf(reply, sizeof(reply), "{\"ok\":true}\n");
	} else if (!strcmp(line, "shutdown")) {
		if (!strcmp(shutdown_mode, "refuse")) {
			snprintf(reply, sizeof(reply),
				 "{\"ok\":false,\"error\":\"no shutdown integration service\"}\n");
		} else {
			snprintf(reply, sizeof(reply), "{\"ok\":true}\n");
			if (strcmp(shutdown_mode, "ignore"))
				*power_off_at = now_s() + 0.2;
			console_printf("fake guest: shutdown requested\n");
		}
	} else if (!strcmp(line, "reboot")) {
		snprintf(reply, sizeof(reply), "{\"ok\":true}\n");
		console_printf("fake guest: rebooting\n");
	} else if (!strcmp(line, "stats")) {
		size_t m = snprintf(reply, sizeof(reply),
				    "{\"ok\":true,\"uptime_s\":1,\"intercepts\":%llu,"
				    "\"heartbeat_age_s\":0,\"disk\":[",
				    intercepts);

		for (unsigned i = 0; i < nr_disks && m < sizeof(reply) - 128; i++) {
			reads++;
			m += snprintf(reply + m, sizeof(reply) - m,
				      "%s{\"reads\":%llu,\"writes\":2,\"read_bytes\":%llu,"
				      "\"write_bytes\":1024}",
				      i ? "," : "", reads, reads * 512);
		}
		snprintf(reply + m, sizeof(reply) - m, "]%s}\n",
			 nic ? ",\"net\":{\"rx_packets\":3,\"tx_packets\":4}" : "");
	} else {
		snprintf(reply, sizeof(reply), "{\"ok\":false,\"error\":\"unknown command\"}\n");
	}
	n = send(fd, reply, strlen(reply), MSG_NOSIGNAL);
	close(fd);
	return n < 0 ? -1 : 0;
}

static void on_term(int sig)
{
	(void)sig;
	terminated = 1;
}

static void need_file(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		die(1, "%s %s: %s", what, path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		die(1, "%s %s: not a regular file", what, path);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"kernel", required_argument, NULL, 'k'},
	    {"initrd", required_argument, NULL, 'i'},
	    {"cmdline", required_argument, NULL, 'c'},
	    {"mem", required_argument, NULL, 'm'},
	    {"vps", required_argument, NULL, 'v'},
	    {"disk", required_argument, NULL, 'd'},
	    {"nic", required_argument, NULL, 'N'},
	    {"console", required_argument, NULL, 'C'},
	    {"control", required_argument, NULL, 'K'},
	    {0},
	};
	const char *kernel = NULL, *cmdline = "", *mem = NULL, *vps = "1", *shutdown_mode = "";
	double start = now_s(), power_off_at = 0, exit_at = 0;
	int exit_status = 0, console_fd, control_fd, opt;
	struct sigaction sa = {.sa_handler = on_term};
	const char *p;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'n':
			name = optarg;
			break;
		case 'k':
			kernel = optarg;
			break;
		case 'i':
			need_file("initrd", optarg);
			break;
		case 'c':
			cmdline = optarg;
			break;
		case 'm':
			mem = optarg;
			break;
		case 'v':
			vps = optarg;
			break;
		case 'd':
			if (nr_disks >= MAX_DISKS)
				die(1, "too many disks");
			nr_disks++;
			break;
		case 'N':
			if (strncmp(optarg, "bridge:", 7))
				die(1, "--nic %s: want bridge:NAME", optarg);
			nic = true;
			break;
		case 'C':
			if (strncmp(optarg, "unix:", 5))
				die(1, "--console %s: want unix:PATH", optarg);
			console_path = optarg + 5;
			break;
		case 'K':
			control_path = optarg;
			break;
		default:
			die(1, "bad usage");
		}
	}
	if (!kernel)
		die(1, "no kernel given");
	need_file("kernel", kernel);
	if (!mem || !console_path || !control_path)
		die(1, "--mem, --console and --control are required");
	if ((p = strstr(cmdline, "fake.shutdown=")))
		shutdown_mode = strndupa(p + 14, strcspn(p + 14, " "));
	if ((p = strstr(cmdline, "fake.exit="))) {
		unsigned ms = 0;

		sscanf(p + 10, "%d@%u", &exit_status, &ms);
		exit_at = start + ms / 1000.0;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	console_fd = listen_on(console_path);
	control_fd = listen_on(control_path);
	logmsg("fake worker: mem %s, %s VPs, %u disks", mem, vps, nr_disks);
	console_printf("fake guest %s: booted (mem %s, vps %s)\n", name, mem, vps);

	while (!terminated) {
		struct pollfd fds[3] = {
		    {.fd = console_fd, .events = POLLIN},
		    {.fd = control_fd, .events = POLLIN},
		    {.fd = console_client, .events = POLLIN},
		};
		double now = now_s();
		char buf[4096];
		ssize_t n;
		int fd;

		if (power_off_at && now >= power_off_at) {
			logmsg("guest powered off");
			cleanup();
			return 0;
		}
		if (exit_at && now >= exit_at) {
			logmsg("exiting with status %d as told", exit_status);
			cleanup();
			return exit_status;
		}
		if (poll(fds, 3, 50) <= 0)
			continue;
		if (fds[0].revents & POLLIN) {
			fd = accept4(console_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				console_attach(fd);
		}
		if (fds[1].revents & POLLIN) {
			fd = accept4(control_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				control(fd, shutdown_mode, &power_off_at);
		}
		if (fds[2].revents) {
			n = read(console_client, buf, sizeof(buf));
			if (n <= 0) {
				close(console_client);
				console_client = -1;
			} else {
				console_out(buf, n);
			}
		}
	}
	logmsg("SIGTERM: torn down");
	cleanup();
	return 5;
}
