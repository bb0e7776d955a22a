/*
 * septumctl: the command line of the VMMS API (include/septum/vmms.h,
 * docs/vmms-api.md). One subcommand per method; human output by default,
 * the API's own JSON with --json; exit statuses scripts can rely on
 * (usage() lists them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "septumctl.h"

#define CALL_TIMEOUT_S	120
#define START_TIMEOUT_S 90 /* the daemon gives a worker 30 s to answer */
#define STOP_MARGIN_S	60 /* beyond the stop's own timeout */

static const char *socket_path = VMMS_SOCKET_PATH;
static bool json_out;

struct command {
	const char *name, *args, *help;
	int min, max; /* positional arguments */
	int (*run)(int argc, char **argv);
};

static const struct command *find_command(const char *name);

static void usage(FILE *out)
{
	fprintf(out,
		"usage: septumctl [--socket PATH] [--json] COMMAND [ARGS]\n"
		"\n"
		"commands (septumctl COMMAND --help for each):\n"
		"  define FILE        define a VM from a JSON definition file (- for stdin)\n"
		"  undefine NAME      forget a VM that is off\n"
		"  list               every VM and its state\n"
		"  info NAME          a VM's definition, state and last exit\n"
		"  start NAME         start a VM; returns once it runs\n"
		"  stop NAME          power a VM off through its guest, forced after a timeout\n"
		"  kill NAME          stop a VM at once\n"
		"  reboot NAME        ask the guest to reboot\n"
		"  console NAME       attach this terminal to a VM's serial console\n"
		"  stats NAME         a running VM's counters\n"
		"  events             print state changes as they happen\n"
		"  call METHOD [JSON] call an API method with JSON params, print its result\n"
		"  raw                send request lines from stdin, print the replies\n"
		"\n"
		"options:\n"
		"  --socket PATH      the API socket (default %s)\n"
		"  --json             print the API's JSON results instead of text\n"
		"\n"
		"exit status:\n"
		"  0  success\n"
		"  1  usage error\n"
		"  2  vmms unreachable, not answering, or access refused\n"
		"  3  no such VM\n"
		"  4  invalid definition or arguments (also: the name is taken)\n"
		"  5  wrong state (e.g. start of a running VM, stop of one that is off)\n"
		"  6  any other error (e.g. the worker failed, not enough memory)\n",
		VMMS_SOCKET_PATH);
}

static void command_usage(const struct command *c, FILE *out)
{
	fprintf(out,
		"usage: septumctl [--socket PATH] [--json] %s%s%s\n  %s\n"
		"(septumctl --help lists the exit statuses)\n",
		c->name, c->args[0] ? " " : "", c->args, c->help);
}

/* A JSON text of at most max bytes from path ("-": stdin); exits 4. */
static json_t *read_json_file(const char *path)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	static char buf[VMMS_MAX_REQUEST];
	size_t len = 0;
	json_error_t jerr;
	json_t *v;

	if (fd < 0)
		fail(SEPTUMCTL_EXIT_INVALID, "%s: %s", path, strerror(errno));
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail(SEPTUMCTL_EXIT_INVALID, "%s: %s", path, strerror(errno));
		if (n == 0)
			break;
		len += n;
		/* The request wraps it; keep room for that within the limit. */
		if (len > sizeof(buf) - 512)
			fail(SEPTUMCTL_EXIT_INVALID, "%s: larger than %zu bytes", path,
			     sizeof(buf) - 512);
	}
	if (fd)
		close(fd);
	v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v)
		fail(SEPTUMCTL_EXIT_INVALID, "%s: line %d, column %d: %s", path, jerr.line,
		     jerr.column, jerr.text);
	if (!json_is_object(v))
		fail(SEPTUMCTL_EXIT_INVALID, "%s: a definition is a JSON object", path);
	return v;
}

static json_t *name_param(const char *name)
{
	return json_pack("{s:s}", "name", name);
}

static json_t *call(const char *what, const char *method, json_t *params, unsigned timeout_s)
{
	int fd = client_connect(socket_path);
	json_t *r = client_call(fd, what, method, params, timeout_s);

	close(fd);
	return r;
}

static int done(json_t *result, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int done(json_t *result, const char *fmt, ...)
{
	va_list ap;

	if (json_out) {
		show_json(result);
	} else if (fmt) {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	json_decref(result);
	return SEPTUMCTL_EXIT_OK;
}

static const char *s(const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v ? v : "?";
}

static int cmd_define(int argc, char **argv)
{
	json_t *r = call("define", "define",
			 json_pack("{s:o}", "definition", read_json_file(argv[0])), CALL_TIMEOUT_S);

	(void)argc;
	return done(r, "defined %s\n", s(r, "name"));
}

static int cmd_undefine(int argc, char **argv)
{
	json_t *r = call(argv[0], "undefine", name_param(argv[0]), CALL_TIMEOUT_S);

	(void)argc;
	return done(r, "undefined %s\n", s(r, "name"));
}

static int cmd_list(int argc, char **argv)
{
	json_t *r = call("list", "list", NULL, CALL_TIMEOUT_S);

	(void)argc;
	(void)argv;
	if (!json_out)
		show_list(r);
	return done(r, NULL);
}

static int cmd_info(int argc, char **argv)
{
	json_t *r = call(argv[0], "info", name_param(argv[0]), CALL_TIMEOUT_S);

	(void)argc;
	if (!json_out)
		show_info(r);
	return done(r, NULL);
}

static int cmd_start(int argc, char **argv)
{
	json_t *r = call(argv[0], "start", name_param(argv[0]), START_TIMEOUT_S);

	(void)argc;
	return done(r, "%s: %s\n", s(r, "name"), s(r, "state"));
}

static int cmd_stop(int argc, char **argv)
{
	unsigned long timeout = VMMS_STOP_TIMEOUT_S;
	const char *name = NULL;
	json_t *params, *r;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			char *end;

			errno = 0;
			timeout = strtoul(argv[++i], &end, 10);
			if (errno || *end || end == argv[i] || argv[i][0] == '-' ||
			    timeout > VMMS_STOP_TIMEOUT_MAX_S)
				fail(SEPTUMCTL_EXIT_INVALID, "--timeout %s: want seconds, 0 to %d",
				     argv[i], VMMS_STOP_TIMEOUT_MAX_S);
		} else if (!name && argv[i][0] != '-') {
			name = argv[i];
		} else {
			command_usage(find_command("stop"), stderr);
			return SEPTUMCTL_EXIT_USAGE;
		}
	}
	if (!name) {
		command_usage(find_command("stop"), stderr);
		return SEPTUMCTL_EXIT_USAGE;
	}
	params = json_pack("{s:s, s:I}", "name", name, "timeout", (json_int_t)timeout);
	r = call(name, "stop", params, timeout + STOP_MARGIN_S);
	return done(r, "%s: %s (%s)\n", s(r, "name"), s(r, "state"), s(r, "reason"));
}

static int cmd_kill(int argc, char **argv)
{
	json_t *r = call(argv[0], "kill", name_param(argv[0]), CALL_TIMEOUT_S);

	(void)argc;
	return done(r, "%s: %s (%s)\n", s(r, "name"), s(r, "state"), s(r, "reason"));
}

static int cmd_reboot(int argc, char **argv)
{
	json_t *r = call(argv[0], "reboot", name_param(argv[0]), CALL_TIMEOUT_S);

	(void)argc;
	return done(r, "%s: rebooting\n", s(r, "name"));
}

static int cmd_stats(int argc, char **argv)
{
	json_t *r = call(argv[0], "stats", name_param(argv[0]), CALL_TIMEOUT_S);

	(void)argc;
	if (!json_out)
		show_stats(r);
	return done(r, NULL);
}

static int cmd_console(int argc, char **argv)
{
	json_t *r = call(argv[0], "console", name_param(argv[0]), CALL_TIMEOUT_S);
	int fd, status;

	(void)argc;
	fd = client_connect(s(r, "path"));
	status = relay_console(fd, argv[0]) ? SEPTUMCTL_EXIT_ERROR : SEPTUMCTL_EXIT_OK;
	close(fd);
	json_decref(r);
	return status;
}

static int cmd_events(int argc, char **argv)
{
	int fd = client_connect(socket_path);
	json_t *ev;

	(void)argc;
	(void)argv;
	json_decref(client_call(fd, "events", "events", NULL, CALL_TIMEOUT_S));
	while ((ev = client_next_event(fd))) {
		if (json_out) {
			show_json(ev);
			fflush(stdout);
		} else {
			show_event(ev);
		}
		json_decref(ev);
	}
	fail(SEPTUMCTL_EXIT_UNREACHABLE, "vmms closed the connection");
}

static int cmd_call(int argc, char **argv)
{
	json_t *params = NULL, *r;
	json_error_t jerr;

	if (argc > 1) {
		params = json_loads(argv[1], 0, &jerr);
		if (!params)
			fail(SEPTUMCTL_EXIT_INVALID, "params: %s", jerr.text);
	}
	r = call(argv[0], argv[0], params, CALL_TIMEOUT_S);
	show_json(r);
	json_decref(r);
	return SEPTUMCTL_EXIT_OK;
}

static int cmd_raw(int argc, char **argv)
{
	int fd = client_connect(socket_path), r;

	(void)argc;
	(void)argv;
	r = relay_raw(fd);
	close(fd);
	return r ? SEPTUMCTL_EXIT_ERROR : SEPTUMCTL_EXIT_OK;
}

static const struct command commands[] = {
    {"define", "FILE",
     "Defines a VM from the JSON definition in FILE (- for stdin);\n"
     "  docs/vmms-api.md lists its keys. Paths must be absolute and exist.",
     1, 1, cmd_define},
    {"undefine", "NAME", "Forgets a VM that is off or crashed, and deletes its definition.", 1, 1,
     cmd_undefine},
    {"list", "", "Lists every VM: name, state, memory, VPs, worker pid, reason.", 0, 0, cmd_list},
    {"info", "NAME", "Shows a VM's definition, state and why, worker, console and last exit.", 1, 1,
     cmd_info},
    {"start", "NAME",
     "Starts a VM and waits until its worker runs it (exit 6 and the\n"
     "  reason when it does not start, e.g. not enough memory).",
     1, 1, cmd_start},
    {"stop", "NAME [--timeout SECONDS]",
     "Asks the guest to power off (shutdown integration service);\n"
     "  forced after SECONDS (default 30, 0: at once). Waits until it is off.",
     1, 3, cmd_stop},
    {"kill", "NAME", "Stops a VM at once (its worker is terminated) and waits until it is off.", 1,
     1, cmd_kill},
    {"reboot", "NAME", "Asks the guest of a running VM to reboot.", 1, 1, cmd_reboot},
    {"console", "NAME",
     "Attaches to a VM's serial console: raw terminal, Ctrl-] detaches.\n"
     "  When stdin is not a terminal, its end detaches once the console is quiet for 1 s.",
     1, 1, cmd_console},
    {"stats", "NAME",
     "Shows a running VM's counters (uptime, intercepts, heartbeat, disks,\n"
     "  network), as far as its worker reports them.",
     1, 1, cmd_stats},
    {"events", "",
     "Prints each state change, definition and undefinition as it happens,\n"
     "  until interrupted.",
     0, 0, cmd_events},
    {"call", "METHOD [PARAMS-JSON]",
     "Calls an API method with JSON params; prints the result as JSON.", 1, 2, cmd_call},
    {"raw", "", "Sends each line of stdin to vmms as it is; prints each reply line.", 0, 0,
     cmd_raw},
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *c;
	int i = 1, nargs;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			socket_path = argv[++i];
		} else if (!strcmp(argv[i], "--json")) {
			json_out = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return SEPTUMCTL_EXIT_OK;
		} else {
			usage(stderr);
			return SEPTUMCTL_EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return SEPTUMCTL_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		c = i + 1 < argc ? find_command(argv[i + 1]) : NULL;
		if (c)
			command_usage(c, stdout);
		else
			usage(stdout);
		return SEPTUMCTL_EXIT_OK;
	}
	c = find_command(argv[i]);
	if (!c) {
		fprintf(stderr, "septumctl: no command '%s'\n", argv[i]);
		usage(stderr);
		return SEPTUMCTL_EXIT_USAGE;
	}
	for (int j = i + 1; j < argc; j++) {
		if (!strcmp(argv[j], "--help") || !strcmp(argv[j], "-h")) {
			command_usage(c, stdout);
			return SEPTUMCTL_EXIT_OK;
		}
	}
	nargs = argc - i - 1;
	if (nargs < c->min || nargs > c->max) {
		command_usage(c, stderr);
		return SEPTUMCTL_EXIT_USAGE;
	}
	return c->run(nargs, argv + i + 1);
}
