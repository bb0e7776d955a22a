/* Unit tests for the VM definition loader (root/vmms/vmdef.c): defaults,
 * every key's type and range with the key named in the error, unknown
 * keys at each level, the write-back round trip, and the file checks
 * (kernel, initrd and disks must exist, with the key named). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "unit.h"
#include <cmocka.h> /* needs the four above first */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmdef.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define BASE "\"name\":\"vm1\",\"kernel\":\"/boot/vmlinuz\",\"memory\":512"

static char reason[512];

static int load(const char *text, struct vmdef *def, struct vmdef_error *err)
{
	snprintf(reason, sizeof(reason), "definition %.400s", text);
	return vmdef_load(text, strlen(text), def, err);
}

/* {BASE, extra} must be refused naming key. */
static void refused(const char *extra, const char *key)
{
	struct vmdef_error err;
	struct vmdef *def = malloc(sizeof(*def));
	char text[8192];

	snprintf(text, sizeof(text), "{%s}", extra);
	assert_int_equal(load(text, def, &err), -1);
	snprintf(reason, sizeof(reason), "%.300s: key '%s', message '%.100s'", text, err.key,
		 err.message);
	assert_string_equal(err.key, key);
	/* The message names the key first. */
	assert_int_equal(strncmp(err.message, key, strlen(key)), 0);
	free(def);
}

static void test_defaults(void **state)
{
	struct vmdef_error err;
	struct vmdef def;
	(void)state;

	assert_int_equal(load("{" BASE "}", &def, &err), 0);
	assert_string_equal(def.name, "vm1");
	assert_string_equal(def.kernel, "/boot/vmlinuz");
	assert_string_equal(def.initrd, "");
	assert_string_equal(def.cmdline, "console=ttyS0");
	assert_int_equal(def.memory_mib, 512);
	assert_int_equal(def.vps, 1);
	assert_int_equal(def.nr_disks, 0);
	assert_string_equal(def.bridge, "");
	assert_int_equal(def.restart, VMDEF_RESTART_NEVER);
	assert_false(def.autostart);
}

static void test_every_key(void **state)
{
	struct vmdef_error err;
	struct vmdef def;
	(void)state;

	assert_int_equal(load("{" BASE ",\"initrd\":\"/boot/initrd\",\"cmdline\":\"\","
			      "\"vps\":16,\"disks\":[{\"path\":\"/d/a.img\"},"
			      "{\"path\":\"/d/b.img\",\"read_only\":true}],"
			      "\"network\":{\"bridge\":\"br0\"},\"restart\":\"on-crash\","
			      "\"autostart\":true}",
			      &def, &err),
			 0);
	assert_string_equal(def.initrd, "/boot/initrd");
	assert_string_equal(def.cmdline, "");
	assert_int_equal(def.vps, 16);
	assert_int_equal(def.nr_disks, 2);
	assert_string_equal(def.disks[0].path, "/d/a.img");
	assert_false(def.disks[0].read_only);
	assert_string_equal(def.disks[1].path, "/d/b.img");
	assert_true(def.disks[1].read_only);
	assert_string_equal(def.bridge, "br0");
	assert_int_equal(def.restart, VMDEF_RESTART_ON_CRASH);
	assert_true(def.autostart);

	assert_int_equal(load("{" BASE ",\"initrd\":null,\"network\":null,\"disks\":[],"
			      "\"restart\":\"always\"}",
			      &def, &err),
			 0);
	assert_string_equal(def.initrd, "");
	assert_string_equal(def.bridge, "");
	assert_int_equal(def.restart, VMDEF_RESTART_ALWAYS);
}

static void test_unknown_keys(void **state)
{
	(void)state;

	refused(BASE ",\"memroy\":512", "memroy");
	refused(BASE ",\"disks\":[{\"path\":\"/a\",\"ro\":true}]", "disks[0].ro");
	refused(BASE ",\"disks\":[{\"path\":\"/a\"},{\"path\":\"/b\",\"x\":1}]", "disks[1].x");
	refused(BASE ",\"network\":{\"bridge\":\"br0\",\"mac\":\"x\"}", "network.mac");
	/* A key that cannot be shown as it is. */
	refused(BASE ",\"a\\u0001b\":1", "a?b");
}

static void test_missing(void **state)
{
	(void)state;

	refused("\"kernel\":\"/k\",\"memory\":64", "name");
	refused("\"name\":\"a\",\"memory\":64", "kernel");
	refused("\"name\":\"a\",\"kernel\":\"/k\"", "memory");
	refused(BASE ",\"disks\":[{\"read_only\":true}]", "disks[0].path");
	refused(BASE ",\"network\":{}", "network.bridge");
}

static void test_memory_and_vps(void **state)
{
	static const char *const memory[] = {
	    "0", "15", "4194305", "-1", "\"512\"", "512.0", "true", "null", "99999999999999999",
	};
	static const char *const vps[] = {"0", "17", "-1", "\"2\"", "1.5"};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(memory); i++) {
		char extra[128];

		snprintf(extra, sizeof(extra), "\"name\":\"a\",\"kernel\":\"/k\",\"memory\":%s",
			 memory[i]);
		refused(extra, "memory");
	}
	for (size_t i = 0; i < ARRAY_SIZE(vps); i++) {
		char extra[128];

		snprintf(extra, sizeof(extra), BASE ",\"vps\":%s", vps[i]);
		refused(extra, "vps");
	}
}

static void test_limits_accepted(void **state)
{
	struct vmdef_error err;
	struct vmdef def;
	(void)state;

	assert_int_equal(load("{\"name\":\"a\",\"kernel\":\"/k\",\"memory\":16}", &def, &err), 0);
	assert_int_equal(
	    load("{\"name\":\"a\",\"kernel\":\"/k\",\"memory\":4194304,\"vps\":1}", &def, &err), 0);
	assert_int_equal(def.memory_mib, 4194304);
}

static void test_names(void **state)
{
	static const char *const bad[] = {
	    "\"\"",	   "\"A\"",   "\"-a\"",
	    "\"a_b\"",	   "\"a.b\"", "\"a b\"",
	    "\"../a\"",	   "7",	      "\"a1234567890123456789012345678901x\"",
	    "\"\\u00e9\"",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char extra[128];

		snprintf(extra, sizeof(extra), "\"name\":%s,\"kernel\":\"/k\",\"memory\":64",
			 bad[i]);
		refused(extra, "name");
	}
	assert_true(vmdef_name_valid("a1234567890123456789012345678901"));
	assert_false(vmdef_name_valid("a12345678901234567890123456789012"));
}

static void test_paths(void **state)
{
	char extra[6000], longpath[VMMS_PATH_MAX + 2];
	(void)state;

	refused("\"name\":\"a\",\"kernel\":\"boot/vmlinuz\",\"memory\":64", "kernel");
	refused("\"name\":\"a\",\"kernel\":\"\",\"memory\":64", "kernel");
	refused("\"name\":\"a\",\"kernel\":7,\"memory\":64", "kernel");
	refused("\"name\":\"a\",\"kernel\":\"/a\\nb\",\"memory\":64", "kernel");
	refused(BASE ",\"initrd\":\"initrd.img\"", "initrd");
	refused(BASE ",\"disks\":[{\"path\":\"/a,ro\"}]", "disks[0].path");
	refused(BASE ",\"disks\":[{\"path\":\"rel\"}]", "disks[0].path");
	refused(BASE ",\"disks\":[{\"path\":\"/a\",\"read_only\":1}]", "disks[0].read_only");
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	snprintf(extra, sizeof(extra), BASE ",\"initrd\":\"%s\"", longpath);
	refused(extra, "initrd");
}

static void test_cmdline(void **state)
{
	char extra[3000], cmdline[VMMS_CMDLINE_MAX + 2];
	struct vmdef_error err;
	struct vmdef def;
	(void)state;

	memset(cmdline, 'c', sizeof(cmdline) - 1);
	cmdline[sizeof(cmdline) - 1] = '\0';
	snprintf(extra, sizeof(extra), BASE ",\"cmdline\":\"%s\"", cmdline);
	refused(extra, "cmdline");
	cmdline[VMMS_CMDLINE_MAX] = '\0';
	snprintf(extra, sizeof(extra), "{" BASE ",\"cmdline\":\"%s\"}", cmdline);
	assert_int_equal(load(extra, &def, &err), 0);
	refused(BASE ",\"cmdline\":\"a\\tb\"", "cmdline");
	refused(BASE ",\"cmdline\":[\"a\"]", "cmdline");
}

static void test_disks_and_network(void **state)
{
	(void)state;

	refused(BASE ",\"disks\":{\"path\":\"/a\"}", "disks");
	refused(BASE ",\"disks\":[\"/a\"]", "disks[0]");
	refused(BASE ",\"disks\":[{\"path\":\"/1\"},{\"path\":\"/2\"},{\"path\":\"/3\"},"
		     "{\"path\":\"/4\"},{\"path\":\"/5\"},{\"path\":\"/6\"},{\"path\":\"/7\"},"
		     "{\"path\":\"/8\"},{\"path\":\"/9\"}]",
		"disks");
	refused(BASE ",\"network\":\"br0\"", "network");
	refused(BASE ",\"network\":{\"bridge\":\"\"}", "network.bridge");
	refused(BASE ",\"network\":{\"bridge\":\"..\"}", "network.bridge");
	refused(BASE ",\"network\":{\"bridge\":\"br/0\"}", "network.bridge");
	refused(BASE ",\"network\":{\"bridge\":\"br:0\"}", "network.bridge");
	refused(BASE ",\"network\":{\"bridge\":\"a234567890123456\"}", "network.bridge");
	refused(BASE ",\"restart\":\"sometimes\"", "restart");
	refused(BASE ",\"restart\":1", "restart");
	refused(BASE ",\"autostart\":\"yes\"", "autostart");
}

static void test_not_an_object(void **state)
{
	static const char *const bad[] = {"", "[]", "42", "{", "{\"name\":\"a\",\"name\":\"b\"}"};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct vmdef_error err;
		struct vmdef def;

		assert_int_equal(load(bad[i], &def, &err), -1);
		assert_string_equal(err.key, "");
		assert_true(err.message[0]);
	}
}

/* What is written back loads as the same definition. */
static void test_round_trip(void **state)
{
	struct vmdef *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct vmdef_error err;
	size_t len;
	char *text;
	(void)state;

	assert_int_equal(load("{" BASE ",\"initrd\":\"/i\",\"cmdline\":\"x=\\\"y\\\" \\u00e9\","
			      "\"vps\":3,\"disks\":[{\"path\":\"/d/a\"},{\"path\":\"/d/b\","
			      "\"read_only\":true}],\"network\":{\"bridge\":\"br_0\"},"
			      "\"restart\":\"always\",\"autostart\":true}",
			      a, &err),
			 0);
	text = vmdef_dump(a, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_int_equal(text[len - 1], '\n');
	assert_int_equal(load(text, b, &err), 0);
	assert_memory_equal(a, b, sizeof(*a));
	free(text);

	assert_int_equal(load("{" BASE "}", a, &err), 0);
	text = vmdef_dump(a, &len);
	assert_non_null(strstr(text, "\"initrd\": null"));
	assert_non_null(strstr(text, "\"network\": null"));
	assert_int_equal(load(text, b, &err), 0);
	assert_memory_equal(a, b, sizeof(*a));
	free(text);
	free(a);
	free(b);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/test_vmdef.XXXXXX", kernel[64], disk[64], text[512];
	struct vmdef_error err;
	struct vmdef def;
	int fd;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", dir);
	snprintf(disk, sizeof(disk), "%s/disk.img", dir);
	fd = open(kernel, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);

	snprintf(text, sizeof(text), "{\"name\":\"a\",\"kernel\":\"%s\",\"memory\":64}", kernel);
	assert_int_equal(load(text, &def, &err), 0);
	assert_int_equal(vmdef_check_files(&def, &err), 0);

	snprintf(text, sizeof(text), "{\"name\":\"a\",\"kernel\":\"%s/missing\",\"memory\":64}",
		 dir);
	assert_int_equal(load(text, &def, &err), 0);
	assert_int_equal(vmdef_check_files(&def, &err), -1);
	assert_string_equal(err.key, "kernel");
	assert_non_null(strstr(err.message, "No such file"));

	snprintf(text, sizeof(text), "{\"name\":\"a\",\"kernel\":\"%s\",\"memory\":64}", dir);
	assert_int_equal(load(text, &def, &err), 0);
	assert_int_equal(vmdef_check_files(&def, &err), -1);
	assert_string_equal(err.key, "kernel");
	assert_non_null(strstr(err.message, "not a regular file"));

	snprintf(text, sizeof(text),
		 "{\"name\":\"a\",\"kernel\":\"%s\",\"initrd\":\"%s/no\",\"memory\":64}", kernel,
		 dir);
	assert_int_equal(load(text, &def, &err), 0);
	assert_int_equal(vmdef_check_files(&def, &err), -1);
	assert_string_equal(err.key, "initrd");

	snprintf(text, sizeof(text),
		 "{\"name\":\"a\",\"kernel\":\"%s\",\"memory\":64,\"disks\":[{\"path\":\"%s\"},"
		 "{\"path\":\"%s\"}]}",
		 kernel, kernel, disk);
	assert_int_equal(load(text, &def, &err), 0);
	assert_int_equal(vmdef_check_files(&def, &err), -1);
	assert_string_equal(err.key, "disks[1].path");
	fd = open(disk, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(vmdef_check_files(&def, &err), 0);

	/* A character device is no disk. */
	snprintf(
	    text, sizeof(text),
	    "{\"name\":\"a\",\"kernel\":\"%s\",\"memory\":64,\"disks\":[{\"path\":\"/dev/null\"}]}",
	    kernel);
	assert_int_equal(load(text, &def, &err), 0);
	assert_int_equal(vmdef_check_files(&def, &err), -1);
	assert_string_equal(err.key, "disks[0].path");

	unlink(disk);
	unlink(kernel);
	rmdir(dir);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),	   cmocka_unit_test(test_every_key),
	    cmocka_unit_test(test_unknown_keys),   cmocka_unit_test(test_missing),
	    cmocka_unit_test(test_memory_and_vps), cmocka_unit_test(test_limits_accepted),
	    cmocka_unit_test(test_names),	   cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_cmdline),	   cmocka_unit_test(test_disks_and_network),
	    cmocka_unit_test(test_not_an_object),  cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_files),
	};

	return unit_run("vmdef", tests, ARRAY_SIZE(tests), reason);
}
