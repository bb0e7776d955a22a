/* libFuzzer target for the VM definition loader (root/vmms/vmdef.c): the
 * input is a definition file. A definition it accepts must hold only
 * values in range (a valid name, memory and VP count within limits, at
 * most VMMS_DISKS_MAX disks, absolute paths without control characters,
 * disk paths without ','), and what vmdef_dump writes must load back to
 * the very same definition; a refused one must say why, starting with the
 * key it names. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmdef.h"

static void check_text(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	assert(n <= max);
	for (size_t i = 0; i < n; i++)
		assert((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static void check_path(const char *s, bool required)
{
	check_text(s, VMMS_PATH_MAX);
	assert(s[0] == '/' || (!required && !s[0]));
}

static void check(const struct vmdef *def)
{
	assert(vmdef_name_valid(def->name));
	check_path(def->kernel, true);
	check_path(def->initrd, false);
	check_text(def->cmdline, VMMS_CMDLINE_MAX);
	assert(def->memory_mib >= VMMS_MEMORY_MIN_MIB && def->memory_mib <= VMMS_MEMORY_MAX_MIB);
	assert(def->vps >= 1 && def->vps <= VMMS_VPS_MAX);
	assert(def->nr_disks <= VMMS_DISKS_MAX);
	for (unsigned i = 0; i < def->nr_disks; i++) {
		check_path(def->disks[i].path, true);
		assert(!strchr(def->disks[i].path, ','));
	}
	check_text(def->bridge, VMMS_BRIDGE_MAX);
	assert(def->restart <= VMDEF_RESTART_ALWAYS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmdef *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct vmdef_error err;
	size_t len;
	char *text;

	assert(a && b);
	if (vmdef_load((const char *)data, size, a, &err)) {
		assert(err.message[0]);
		assert(!strncmp(err.message, err.key, strlen(err.key)));
		goto out;
	}
	check(a);
	text = vmdef_dump(a, &len);
	assert(text && strlen(text) == len);
	assert(vmdef_load(text, len, b, &err) == 0);
	assert(!memcmp(a, b, sizeof(*a)));
	free(text);
out:
	free(a);
	free(b);
	return 0;
}
