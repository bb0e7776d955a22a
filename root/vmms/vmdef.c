/*
 * VM definitions (vmdef.h): every key is checked for its type and range
 * and named in the message when it is wrong. Values come from clients and
 * from files anyone with root may have edited: nothing is trusted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_line.h"
#include "vmdef.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const restart_names[] = {
    [VMDEF_RESTART_NEVER] = "never",
    [VMDEF_RESTART_ON_CRASH] = "on-crash",
    [VMDEF_RESTART_ALWAYS] = "always",
};

static const char *const top_keys[] = {
    "name", "kernel", "initrd",	 "cmdline", "memory",
    "vps",  "disks",  "network", "restart", "autostart",
};
static const char *const disk_keys[] = {"path", "read_only"};
static const char *const network_keys[] = {"bridge"};

static int fail(struct vmdef_error *err, const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	snprintf(err->key, sizeof(err->key), "%s", key);
	n = snprintf(err->message, sizeof(err->message), "%s%s", key, *key ? ": " : "");
	if (n < 0 || (size_t)n >= sizeof(err->message))
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->message + n, sizeof(err->message) - n, fmt, ap);
	va_end(ap);
	return -1;
}

bool vmdef_name_valid(const char *name)
{
	size_t i;

	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9')))
		return false;
	for (i = 1; name[i]; i++) {
		char c = name[i];

		if (i >= VMMS_NAME_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

const char *vmdef_restart_name(enum vmdef_restart r)
{
	return (unsigned)r < ARRAY_SIZE(restart_names) ? restart_names[r] : "never";
}

/* A key as it may appear in a message: printable ASCII, at most 32 bytes. */
static void printable_key(char *out, size_t size, const char *key)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < size && i < 32; i++)
		out[i] = key[i] >= 0x20 && key[i] < 0x7f ? key[i] : '?';
	out[i] = '\0';
}

static int check_keys(const json_t *obj, const char *prefix, const char *const *allowed, size_t n,
		      struct vmdef_error *err)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)obj, key, value)
	{
		char shown[33], full[48];
		size_t i;

		for (i = 0; i < n; i++)
			if (!strcmp(key, allowed[i]))
				break;
		if (i < n)
			continue;
		printable_key(shown, sizeof(shown), key);
		snprintf(full, sizeof(full), "%s%s", prefix, shown);
		return fail(err, full, "unknown key");
	}
	return 0;
}

/* A string of at most max bytes without control characters. */
static int get_text(const json_t *v, const char *key, char *out, size_t max,
		    struct vmdef_error *err)
{
	const char *s;
	size_t len, i;

	if (!json_is_string(v))
		return fail(err, key, "must be a string");
	s = json_string_value(v);
	len = json_string_length(v);
	if (len > max)
		return fail(err, key, "longer than %zu bytes", max);
	if (strlen(s) != len)
		return fail(err, key, "contains a NUL byte");
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(err, key, "contains a control character");
	memcpy(out, s, len + 1);
	return 0;
}

static int get_path(const json_t *v, const char *key, char *out, struct vmdef_error *err)
{
	if (get_text(v, key, out, VMMS_PATH_MAX, err))
		return -1;
	if (out[0] != '/')
		return fail(err, key, "must be an absolute path");
	return 0;
}

static int get_uint(const json_t *v, const char *key, unsigned min, unsigned max, const char *unit,
		    unsigned *out, struct vmdef_error *err)
{
	json_int_t n;

	if (!json_is_integer(v))
		return fail(err, key, "must be an integer from %u to %u%s", min, max, unit);
	n = json_integer_value(v);
	if (n < min || n > max)
		return fail(err, key, "must be an integer from %u to %u%s", min, max, unit);
	*out = (unsigned)n;
	return 0;
}

static int get_bool(const json_t *v, const char *key, bool *out, struct vmdef_error *err)
{
	if (!json_is_boolean(v))
		return fail(err, key, "must be true or false");
	*out = json_is_true(v);
	return 0;
}

static int get_disks(const json_t *v, struct vmdef *def, struct vmdef_error *err)
{
	size_t i;
	json_t *d;

	if (!json_is_array(v))
		return fail(err, "disks", "must be an array");
	if (json_array_size(v) > VMMS_DISKS_MAX)
		return fail(err, "disks", "at most %d disks", VMMS_DISKS_MAX);
	json_array_foreach(v, i, d)
	{
		struct vmdef_disk *disk = &def->disks[i];
		char prefix[24], key[48];
		json_t *ro;

		snprintf(prefix, sizeof(prefix), "disks[%u]", (unsigned)i);
		if (!json_is_object(d))
			return fail(err, prefix, "must be an object");
		snprintf(prefix, sizeof(prefix), "disks[%u].", (unsigned)i);
		if (check_keys(d, prefix, disk_keys, ARRAY_SIZE(disk_keys), err))
			return -1;
		snprintf(key, sizeof(key), "%spath", prefix);
		if (!json_object_get(d, "path"))
			return fail(err, key, "missing");
		if (get_path(json_object_get(d, "path"), key, disk->path, err))
			return -1;
		/* The worker's --disk PATH[,ro] takes the comma as its own. */
		if (strchr(disk->path, ','))
			return fail(err, key, "must not contain ','");
		ro = json_object_get(d, "read_only");
		snprintf(key, sizeof(key), "%sread_only", prefix);
		if (ro && get_bool(ro, key, &disk->read_only, err))
			return -1;
		def->nr_disks = i + 1;
	}
	return 0;
}

static int get_network(const json_t *v, struct vmdef *def, struct vmdef_error *err)
{
	const json_t *b;
	const char *s;

	if (json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return fail(err, "network", "must be an object or null");
	if (check_keys(v, "network.", network_keys, ARRAY_SIZE(network_keys), err))
		return -1;
	b = json_object_get(v, "bridge");
	if (!b)
		return fail(err, "network.bridge", "missing");
	if (get_text(b, "network.bridge", def->bridge, VMMS_BRIDGE_MAX, err))
		return -1;
	s = def->bridge;
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return fail(err, "network.bridge", "not an interface name");
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return fail(err, "network.bridge", "not an interface name");
	return 0;
}

static int get_restart(const json_t *v, struct vmdef *def, struct vmdef_error *err)
{
	const char *s = json_string_value(v);
	size_t i;

	for (i = 0; s && i < ARRAY_SIZE(restart_names); i++) {
		if (!strcmp(s, restart_names[i])) {
			def->restart = i;
			return 0;
		}
	}
	return fail(err, "restart", "must be \"never\", \"on-crash\" or \"always\"");
}

int vmdef_from_json(const json_t *obj, struct vmdef *def, struct vmdef_error *err)
{
	const json_t *v;

	memset(def, 0, sizeof(*def));
	err->key[0] = err->message[0] = '\0';
	if (!json_is_object(obj))
		return fail(err, "", "a definition must be a JSON object");
	if (check_keys(obj, "", top_keys, ARRAY_SIZE(top_keys), err))
		return -1;

	v = json_object_get(obj, "name");
	if (!v)
		return fail(err, "name", "missing");
	if (!json_is_string(v) || json_string_length(v) > VMMS_NAME_MAX ||
	    !vmdef_name_valid(json_string_value(v)))
		return fail(err, "name", "must match [a-z0-9][a-z0-9-]{0,31}");
	strcpy(def->name, json_string_value(v));

	v = json_object_get(obj, "kernel");
	if (!v)
		return fail(err, "kernel", "missing");
	if (get_path(v, "kernel", def->kernel, err))
		return -1;

	v = json_object_get(obj, "initrd");
	if (v && !json_is_null(v) && get_path(v, "initrd", def->initrd, err))
		return -1;

	strcpy(def->cmdline, VMMS_CMDLINE_DEFAULT);
	v = json_object_get(obj, "cmdline");
	if (v && get_text(v, "cmdline", def->cmdline, VMMS_CMDLINE_MAX, err))
		return -1;

	v = json_object_get(obj, "memory");
	if (!v)
		return fail(err, "memory", "missing");
	if (get_uint(v, "memory", VMMS_MEMORY_MIN_MIB, VMMS_MEMORY_MAX_MIB, " (MiB)",
		     &def->memory_mib, err))
		return -1;

	def->vps = 1;
	v = json_object_get(obj, "vps");
	if (v && get_uint(v, "vps", 1, VMMS_VPS_MAX, "", &def->vps, err))
		return -1;

	v = json_object_get(obj, "disks");
	if (v && get_disks(v, def, err))
		return -1;

	v = json_object_get(obj, "network");
	if (v && get_network(v, def, err))
		return -1;

	v = json_object_get(obj, "restart");
	if (v && get_restart(v, def, err))
		return -1;

	v = json_object_get(obj, "autostart");
	if (v && get_bool(v, "autostart", &def->autostart, err))
		return -1;
	return 0;
}

int vmdef_load(const char *text, size_t len, struct vmdef *def, struct vmdef_error *err)
{
	json_error_t jerr;
	json_t *obj;
	int r;

	obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		memset(def, 0, sizeof(*def));
		return fail(err, "", "not valid JSON (line %d, column %d): %s", jerr.line,
			    jerr.column, jerr.text);
	}
	r = vmdef_from_json(obj, def, err);
	json_decref(obj);
	return r;
}

static int check_file(const char *key, const char *path, bool disk, bool writable,
		      struct vmdef_error *err)
{
	struct stat st;

	if (stat(path, &st))
		return fail(err, key, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !(disk && S_ISBLK(st.st_mode)))
		return fail(err, key, "%s: not a regular file%s", path,
			    disk ? " or block device" : "");
	if (access(path, writable ? R_OK | W_OK : R_OK))
		return fail(err, key, "%s: %s", path, strerror(errno));
	return 0;
}

int vmdef_check_files(const struct vmdef *def, struct vmdef_error *err)
{
	unsigned i;

	if (check_file("kernel", def->kernel, false, false, err))
		return -1;
	if (def->initrd[0] && check_file("initrd", def->initrd, false, false, err))
		return -1;
	for (i = 0; i < def->nr_disks; i++) {
		char key[32];

		snprintf(key, sizeof(key), "disks[%u].path", i);
		if (check_file(key, def->disks[i].path, true, !def->disks[i].read_only, err))
			return -1;
	}
	return 0;
}

json_t *vmdef_to_json(const struct vmdef *def)
{
	json_t *disks = json_array();
	unsigned i;

	for (i = 0; disks && i < def->nr_disks; i++)
		json_array_append_new(disks, json_pack("{s:s, s:b}", "path", def->disks[i].path,
						       "read_only", def->disks[i].read_only));
	/* "o" takes disks' reference, and drops it should the pack fail. */
	return json_pack("{s:s, s:s, s:s?, s:s, s:I, s:I, s:o, s:o?, s:s, s:b}", "name", def->name,
			 "kernel", def->kernel, "initrd", def->initrd[0] ? def->initrd : NULL,
			 "cmdline", def->cmdline, "memory", (json_int_t)def->memory_mib, "vps",
			 (json_int_t)def->vps, "disks", disks, "network",
			 def->bridge[0] ? json_pack("{s:s}", "bridge", def->bridge) : NULL,
			 "restart", vmdef_restart_name(def->restart), "autostart", def->autostart);
}

char *vmdef_dump(const struct vmdef *def, size_t *len)
{
	return vmms_json_line(vmdef_to_json(def), JSON_INDENT(2), len);
}
