/*
 * A VM definition (docs/vmms-api.md, "Definition file"): parsed from JSON,
 * validated key by key, written back with every default filled in. The
 * same code reads what a client sends to define and what the state dir
 * holds, so both are held to the same rules.
 */
#ifndef VMMS_VMDEF_H
#define VMMS_VMDEF_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "septum/vmms.h"

enum vmdef_restart {
	VMDEF_RESTART_NEVER,
	VMDEF_RESTART_ON_CRASH,
	VMDEF_RESTART_ALWAYS,
};

struct vmdef_disk {
	char path[VMMS_PATH_MAX + 1];
	bool read_only;
};

struct vmdef {
	char name[VMMS_NAME_MAX + 1];
	char kernel[VMMS_PATH_MAX + 1];
	char initrd[VMMS_PATH_MAX + 1]; /* "" when none */
	char cmdline[VMMS_CMDLINE_MAX + 1];
	unsigned memory_mib;
	unsigned vps;
	struct vmdef_disk disks[VMMS_DISKS_MAX];
	unsigned nr_disks;
	char bridge[VMMS_BRIDGE_MAX + 1]; /* "" when no network */
	enum vmdef_restart restart;
	bool autostart;
};

/* What was wrong, and with which key ("memory", "disks[1].path"). */
struct vmdef_error {
	char key[48];
	char message[384]; /* starts with the key */
};

/* [a-z0-9][a-z0-9-]{0,31} */
bool vmdef_name_valid(const char *name);
const char *vmdef_restart_name(enum vmdef_restart r);

/*
 * Fills def from a JSON object: unknown keys, missing required keys and
 * values of the wrong type or out of range are refused. Files are not
 * looked at (vmdef_check_files). Returns 0, or -1 with err filled.
 */
int vmdef_from_json(const json_t *obj, struct vmdef *def, struct vmdef_error *err);

/* The same from a JSON text (a definition file). */
int vmdef_load(const char *text, size_t len, struct vmdef *def, struct vmdef_error *err);

/*
 * The kernel and initrd must be readable regular files; each disk a
 * readable (and, unless read_only, writable) regular file or block device.
 * Returns 0, or -1 with err naming the key.
 */
int vmdef_check_files(const struct vmdef *def, struct vmdef_error *err);

/* Every key, defaults included. NULL when out of memory. */
json_t *vmdef_to_json(const struct vmdef *def);

/* The definition file's text (indented JSON and a final newline), malloc'd;
 * NULL when out of memory. */
char *vmdef_dump(const struct vmdef *def, size_t *len);

#endif
