/*
 * The control socket (control.h). One thread serves one client at a time,
 * each bounded by a short receive timeout, so a client that connects and
 * says nothing cannot hold the VM's manager out for long.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "vmwp.h"

static int listener = -1;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

int control_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "--control %s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0 || (unlink(path) && errno != ENOENT) ||
	    bind(listener, (struct sockaddr *)&sa, sizeof(sa)) || listen(listener, 8)) {
		snprintf(err, errlen, "--control %s: %s", path, strerror(errno));
		return -1;
	}
	strcpy(sock_path, path);
	return 0;
}

static void stats(char *out, size_t len)
{
	pthread_mutex_lock(&vm.lock);
	snprintf(out, len,
		 "{\"ok\":true,\"name\":\"%s\",\"uptime_s\":%.3f,\"boot_uptime_s\":%.3f,\"boots\":%llu,"
		 "\"intercepts\":%llu,\"vps\":%u,\"memory_mib\":%llu}",
		 vm.name, now_s() - vm.t0, now_s() - vm.boot_t0, (unsigned long long)vm.boots,
		 (unsigned long long)__atomic_load_n(&vm.intercepts, __ATOMIC_RELAXED), vm.nr_vps,
		 (unsigned long long)(vm.mem_size >> 20));
	pthread_mutex_unlock(&vm.lock);
}

static void serve(int fd)
{
	char cmd[128], reply[512];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(cmd) - 1 && (n = read(fd, cmd + got, sizeof(cmd) - 1 - got)) > 0) {
		got += n;
		if (memchr(cmd, '\n', got))
			break;
	}
	cmd[got] = '\0';
	cmd[strcspn(cmd, "\r\n")] = '\0';
	if (!strcmp(cmd, "ping"))
		snprintf(reply, sizeof(reply), "{\"ok\":true}");
	else if (!strcmp(cmd, "stats"))
		stats(reply, sizeof(reply));
	else if (!strcmp(cmd, "reset")) {
		vm_end(EXIT_RESET, "reset by the control socket");
		snprintf(reply, sizeof(reply), "{\"ok\":true}");
	} else
		snprintf(reply, sizeof(reply), "{\"ok\":false,\"error\":\"unknown command (ping, stats, reset)\"}");
	strcat(reply, "\n");
	if (write(fd, reply, strlen(reply)) < 0)
		(void)0;	/* the client left: nothing to tell it */
}

static void *control_thread(void *arg)
{
	const struct timeval limit = { .tv_sec = 2 };

	(void)arg;
	for (;;) {
		int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
		serve(fd);
		close(fd);
	}
	return NULL;
}

int control_start(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, control_thread, NULL))
		return -1;
	pthread_detach(t);
	return 0;
}

void control_close(void)
{
	if (listener >= 0)
		unlink(sock_path);
}
