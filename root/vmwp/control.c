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
#include "ic/ic.h"
#include "vmwp.h"
#include "vsp_ic.h"
#include "vsp_net.h"
#include "vsp_storage.h"

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

/* Appends s to out as a JSON string. */
static void json_str(char *out, size_t len, const char *s)
{
	size_t n = strlen(out);

	if (n + 2 >= len)
		return;
	out[n++] = '"';
	for (; *s && n + 8 < len; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			n += snprintf(out + n, len - n, "\\%c", ch);
		else if (ch < 0x20)
			n += snprintf(out + n, len - n, "\\u%04x", ch);
		else
			out[n++] = (char)ch;
	}
	out[n++] = '"';
	out[n] = '\0';
}

/* ,"exits":{"total":N,"cpuid":N,...} appended: the reasons seen so far. */
static void exits(char *out, size_t len)
{
	uint64_t sum[SEPTUM_EXIT_REASONS], total = 0;
	size_t n = strlen(out);

	if (vm_exits(sum, false))
		return;
	for (unsigned k = 0; k < SEPTUM_EXIT_REASONS; k++)
		total += sum[k];
	n += snprintf(out + n, n < len ? len - n : 0, ",\"exits\":{\"total\":%llu",
		      (unsigned long long)total);
	for (unsigned k = 0; k < SEPTUM_EXIT_REASONS; k++)
		if (sum[k])
			n += snprintf(out + n, n < len ? len - n : 0, ",\"%s\":%llu",
				      exit_reason_names[k], (unsigned long long)sum[k]);
	if (n < len)
		snprintf(out + n, len - n, "}");
}

static void stats(char *out, size_t len)
{
	double hb = vsp_ic_heartbeat_age(), now = now_s();
	size_t n;

	/* The name is the caller's --name: quoted, not trusted to be JSON. */
	snprintf(out, len, "{\"ok\":true,\"name\":");
	json_str(out, len, vm.name);
	n = strlen(out);
	pthread_mutex_lock(&vm.lock);
	snprintf(out + n, len - n,
		 ",\"uptime_s\":%.3f,\"boot_uptime_s\":%.3f,\"boots\":%llu,"
		 "\"intercepts\":%llu,\"vps\":%u,\"memory_mib\":%llu,\"heartbeat_age_s\":%.3f",
		 now - vm.t0, now - vm.boot_t0, (unsigned long long)vm.boots,
		 (unsigned long long)__atomic_load_n(&vm.intercepts, __ATOMIC_RELAXED), vm.nr_vps,
		 (unsigned long long)(vm.mem_size >> 20), hb);
	pthread_mutex_unlock(&vm.lock);
	exits(out, len - 1);
	strncat(out, ",\"disk\":", len - strlen(out) - 1);
	vsp_storage_stats(out, len - 1);
	strncat(out, ",\"net\":", len - strlen(out) - 1);
	vsp_net_stats(out, len - 1);
	strncat(out, "}", len - strlen(out) - 1);
}

/* "kvp POOL": every key/value of the guest's KVP pool POOL (0-4). */
static void kvp(const char *arg, char *out, size_t len)
{
	static char key[IC_KVP_KEY_UTF8_SIZE], value[IC_KVP_VALUE_UTF8_SIZE];
	char err[160];
	unsigned pool;
	int r = 0;

	if (sscanf(arg, "%u", &pool) != 1 || pool > 4) {
		snprintf(out, len, "{\"ok\":false,\"error\":\"kvp POOL: a pool number 0 to 4\"}");
		return;
	}
	snprintf(out, len, "{\"ok\":true,\"pool\":%u,\"entries\":{", pool);
	for (unsigned i = 0; i < 64; i++) {
		r = vsp_ic_kvp_enumerate(pool, i, key, sizeof(key), value, sizeof(value), err, sizeof(err));
		if (r)
			break;
		if (i)
			strncat(out, ",", len - strlen(out) - 1);
		json_str(out, len, key);
		strncat(out, ":", len - strlen(out) - 1);
		json_str(out, len, value);
	}
	if (r < 0) {
		snprintf(out, len, "{\"ok\":false,\"error\":");
		json_str(out, len, err);
	}
	strncat(out, "}", len - strlen(out) - 1);
	if (r >= 0)
		strncat(out, "}", len - strlen(out) - 1);
}

static void serve(int fd)
{
	static char reply[8192];
	char cmd[128];
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
	else if (!strcmp(cmd, "shutdown") || !strcmp(cmd, "reboot")) {
		vsp_ic_shutdown(cmd[0] == 'r');
		snprintf(reply, sizeof(reply), "{\"ok\":true}");
	} else if (!strncmp(cmd, "kvp ", 4))
		kvp(cmd + 4, reply, sizeof(reply) - 2);
	else if (!strcmp(cmd, "reset")) {
		vm_end(EXIT_RESET, "reset by the control socket");
		snprintf(reply, sizeof(reply), "{\"ok\":true}");
	} else
		snprintf(reply, sizeof(reply), "{\"ok\":false,\"error\":\"unknown command (ping, stats, shutdown, reboot, reset, kvp POOL)\"}");
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
