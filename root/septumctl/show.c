/* Human output (septumctl.h): tables and "key: value" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "septumctl.h"

static const char *str(const json_t *obj, const char *key, const char *none)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : none;
}

static long long num(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

static const char *when(const json_t *obj, const char *key, char *buf, size_t size)
{
	time_t t = (time_t)num(obj, key);
	struct tm tm;

	if (!t || !localtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		return "-";
	return buf;
}

void show_json(const json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (text)
		printf("%s\n", text);
	free(text);
}

void show_list(const json_t *result)
{
	const json_t *vms = json_object_get(result, "vms"), *vm;
	size_t i;

	printf("%-32s %-9s %9s %4s %8s  %s\n", "NAME", "STATE", "MEMORY", "VPS", "PID", "REASON");
	json_array_foreach(vms, i, vm)
	{
		char mem[24], pid[16] = "-";

		snprintf(mem, sizeof(mem), "%lld MiB", num(vm, "memory"));
		if (json_is_integer(json_object_get(vm, "pid")))
			snprintf(pid, sizeof(pid), "%lld", num(vm, "pid"));
		printf("%-32s %-9s %9s %4lld %8s  %s\n", str(vm, "name", "?"),
		       str(vm, "state", "?"), mem, num(vm, "vps"), pid, str(vm, "reason", ""));
	}
}

void show_info(const json_t *info)
{
	const json_t *def = json_object_get(info, "definition"), *disk, *exit;
	const json_t *net = json_object_get(def, "network");
	char buf[32];
	size_t i;

	printf("name:      %s\n", str(info, "name", "?"));
	printf("state:     %s\n", str(info, "state", "?"));
	printf("reason:    %s\n", str(info, "reason", ""));
	printf("since:     %s\n", when(info, "since", buf, sizeof(buf)));
	if (json_is_integer(json_object_get(info, "pid")))
		printf("pid:       %lld%s\n", num(info, "pid"),
		       json_is_true(json_object_get(info, "adopted")) ? " (found again)" : "");
	printf("memory:    %lld MiB\n", num(def, "memory"));
	printf("vps:       %lld\n", num(def, "vps"));
	printf("kernel:    %s\n", str(def, "kernel", "?"));
	printf("initrd:    %s\n", str(def, "initrd", "-"));
	printf("cmdline:   %s\n", str(def, "cmdline", ""));
	json_array_foreach(json_object_get(def, "disks"), i, disk)
	    printf("disk %zu:    %s%s\n", i, str(disk, "path", "?"),
		   json_is_true(json_object_get(disk, "read_only")) ? " (read-only)" : "");
	printf("network:   %s%s\n", net ? "bridge " : "-", net ? str(net, "bridge", "?") : "");
	printf("restart:   %s (%lld restarts)\n", str(def, "restart", "?"), num(info, "restarts"));
	printf("autostart: %s\n", json_is_true(json_object_get(def, "autostart")) ? "yes" : "no");
	printf("console:   %s\n", str(info, "console", "-"));
	printf("log:       %s\n", str(info, "log", "-"));
	exit = json_object_get(info, "exit");
	if (json_is_integer(json_object_get(exit, "signal")))
		printf("last exit: signal %lld\n", num(exit, "signal"));
	else if (json_is_integer(json_object_get(exit, "status")))
		printf("last exit: status %lld\n", num(exit, "status"));
}

/* The worker's figures; every one is optional. */
void show_stats(const json_t *stats)
{
	const json_t *disk, *net = json_object_get(stats, "net"), *exits, *count;
	const char *reason;
	size_t i;

	printf("name:           %s\n", str(stats, "name", "?"));
	if (json_is_number(json_object_get(stats, "uptime_s")))
		printf("uptime:         %.0f s\n",
		       json_number_value(json_object_get(stats, "uptime_s")));
	if (json_is_integer(json_object_get(stats, "intercepts")))
		printf("intercepts:     %lld\n", num(stats, "intercepts"));
	if (json_is_number(json_object_get(stats, "heartbeat_age_s")))
		printf("heartbeat age:  %.0f s\n",
		       json_number_value(json_object_get(stats, "heartbeat_age_s")));
	exits = json_object_get(stats, "exits");
	if (json_is_integer(json_object_get(exits, "total"))) {
		printf("VM exits:       %lld (", num(exits, "total"));
		i = 0;
		json_object_foreach((json_t *)exits, reason, count)
			if (strcmp(reason, "total") && json_is_integer(count))
				printf("%s%s %lld", i++ ? ", " : "", reason,
				       (long long)json_integer_value(count));
		printf(")\n");
	}
	json_array_foreach(json_object_get(stats, "disk"), i, disk)
	    printf("disk %zu:         %lld reads (%lld bytes), %lld writes (%lld bytes)\n", i,
		   num(disk, "reads"), num(disk, "read_bytes"), num(disk, "writes"),
		   num(disk, "write_bytes"));
	if (json_is_object(net))
		printf("network:        %lld packets received, %lld sent\n", num(net, "rx_packets"),
		       num(net, "tx_packets"));
}

void show_event(const json_t *event)
{
	const char *kind = str(event, "event", "?");
	char buf[32];

	if (!strcmp(kind, "state"))
		printf("%s %s: %s -> %s (%s)\n", when(event, "time", buf, sizeof(buf)),
		       str(event, "name", "?"), str(event, "previous", "?"),
		       str(event, "state", "?"), str(event, "reason", ""));
	else
		printf("%s %s: %s\n", when(event, "time", buf, sizeof(buf)),
		       str(event, "name", "?"), kind);
	fflush(stdout);
}
