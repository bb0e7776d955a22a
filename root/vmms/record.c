/* Worker records (record.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "record.h"
#include "store.h"

static int file_name(char *buf, size_t size, const char *name)
{
	if ((size_t)snprintf(buf, size, "%s%s", name, RECORD_SUFFIX) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int record_write(int run_fd, const char *name, pid_t pid, unsigned long long starttime)
{
	char file[64], text[96];
	int n;

	if (file_name(file, sizeof(file), name))
		return -1;
	n = snprintf(text, sizeof(text), "{\"pid\": %d, \"starttime\": %llu}\n", (int)pid,
		     starttime);
	return store_write(run_fd, file, text, n, 0600);
}

int record_read(int run_fd, const char *name, pid_t *pid, unsigned long long *starttime)
{
	char file[64], *text;
	json_int_t p, st;
	size_t len;
	json_t *v;

	if (file_name(file, sizeof(file), name))
		return -1;
	text = store_read(run_fd, file, 4096, &len);
	if (!text)
		return -1;
	v = json_loadb(text, len, 0, NULL);
	free(text);
	p = json_integer_value(json_object_get(v, "pid"));
	st = json_integer_value(json_object_get(v, "starttime"));
	json_decref(v);
	if (p <= 1 || p > 0x3fffffff || st <= 0) {
		errno = EINVAL;
		return -1;
	}
	*pid = (pid_t)p;
	*starttime = (unsigned long long)st;
	return 0;
}

void record_remove(int run_fd, const char *name)
{
	char file[64];

	if (!file_name(file, sizeof(file), name))
		store_remove(run_fd, file);
}

int proc_starttime(pid_t pid, unsigned long long *starttime)
{
	char path[32], buf[1024], *p;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces and ')': skip past the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* Field 3, the state: an ended process is no worker any more. */
	if (p[1] != ' ' || p[2] == 'Z' || p[2] == 'X' || p[2] == 'x') {
		errno = ESRCH;
		return -1;
	}
	/* p is at the end of field 2; field 22 is 20 spaces further on. */
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	*starttime = strtoull(p + 1, NULL, 10);
	return 0;
}
