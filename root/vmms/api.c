/* The API's methods (api.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "ctl.h"
#include "events.h"
#include "log.h"
#include "store.h"
#include "supervisor.h"
#include "vm.h"

#define CTL_TIMEOUT_MS 5000

static int state_fd = -1;
static const char *state_dir;

/* A reboot or stats request on its way through the worker. */
struct forward {
	struct reply *r;
	char name[VMMS_NAME_MAX + 1];
	enum rpc_method method;
};

void api_init(int fd, const char *dir)
{
	state_fd = fd;
	state_dir = dir;
}

static void file_name(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s.json", name);
}

void api_load(void)
{
	int fd = openat(state_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct vmdef *def = malloc(sizeof(*def));
	struct dirent *de;
	DIR *d;

	store_clean(state_fd);
	if (fd < 0 || !def || !(d = fdopendir(fd))) {
		vmms_log("%s: %m; no definitions loaded", state_dir);
		if (fd >= 0)
			close(fd);
		free(def);
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name), len;
		char name[VMMS_NAME_MAX + 1], *text;
		struct vmdef_error err;

		if (de->d_name[0] == '.' || n <= 5 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		if (n - 5 > VMMS_NAME_MAX) {
			vmms_log("%s/%s: not a VM name; ignored", state_dir, de->d_name);
			continue;
		}
		memcpy(name, de->d_name, n - 5);
		name[n - 5] = '\0';
		if (!vmdef_name_valid(name)) {
			vmms_log("%s/%s: not a VM name; ignored", state_dir, de->d_name);
			continue;
		}
		text = store_read(state_fd, de->d_name, VMMS_MAX_REQUEST, &len);
		if (!text) {
			vmms_log("%s/%s: %m; ignored", state_dir, de->d_name);
			continue;
		}
		if (vmdef_load(text, len, def, &err)) {
			vmms_log("%s/%s: %s; ignored", state_dir, de->d_name, err.message);
		} else if (strcmp(def->name, name)) {
			vmms_log("%s/%s: its name is '%s'; ignored", state_dir, de->d_name,
				 def->name);
		} else if (vm_count() >= VMMS_MAX_VMS) {
			vmms_log("%s/%s: more than %d VMs; ignored", state_dir, de->d_name,
				 VMMS_MAX_VMS);
		} else if (!vm_add(def)) {
			vmms_log("%s/%s: out of memory; ignored", state_dir, de->d_name);
		}
		free(text);
	}
	closedir(d);
	free(def);
	vmms_log("%u VMs defined", vm_count());
}

static void define(struct reply *r, const struct rpc_call *call)
{
	struct vmdef *def = malloc(sizeof(*def));
	struct vmdef_error err;
	char file[64], *text;
	struct vm *vm;
	size_t len;

	if (!def) {
		reply_error(r, VMMS_ERR_INTERNAL, "", "out of memory");
		return;
	}
	if (vmdef_from_json(call->definition, def, &err) || vmdef_check_files(def, &err)) {
		reply_error(r, VMMS_ERR_INVALID, err.key, "%s", err.message);
		goto out;
	}
	if (vm_find(def->name)) {
		reply_error(r, VMMS_ERR_EXISTS, "name", "vm '%s' already exists", def->name);
		goto out;
	}
	if (vm_count() >= VMMS_MAX_VMS) {
		reply_error(r, VMMS_ERR_INVALID, "", "at most %d VMs may be defined", VMMS_MAX_VMS);
		goto out;
	}
	text = vmdef_dump(def, &len);
	file_name(file, sizeof(file), def->name);
	if (!text || store_write(state_fd, file, text, len, 0600)) {
		reply_error(r, VMMS_ERR_IO, "", "%s/%s: %s", state_dir, file,
			    text ? strerror(errno) : "out of memory");
		free(text);
		goto out;
	}
	free(text);
	vm = vm_add(def);
	if (!vm) {
		store_remove(state_fd, file);
		reply_error(r, VMMS_ERR_INTERNAL, "", "out of memory");
		goto out;
	}
	vmms_log("%s: defined", def->name);
	events_defined(vm);
	reply_result(r, vm_summary(vm));
out:
	free(def);
}

static void undefine(struct reply *r, struct vm *vm)
{
	char file[64], name[VMMS_NAME_MAX + 1];

	if (vm->state != VMMS_STATE_OFF && vm->state != VMMS_STATE_CRASHED) {
		reply_error(r, VMMS_ERR_STATE, "", "vm '%s' is %s; stop it first", vm->def.name,
			    vmms_state_name(vm->state));
		return;
	}
	file_name(file, sizeof(file), vm->def.name);
	if (store_remove(state_fd, file)) {
		reply_error(r, VMMS_ERR_IO, "", "%s/%s: %s", state_dir, file, strerror(errno));
		return;
	}
	strcpy(name, vm->def.name);
	sup_forget(vm);
	vm_remove(vm);
	vmms_log("%s: undefined", name);
	events_undefined(name);
	reply_result(r, json_pack("{s:s}", "name", name));
}

static void list(struct reply *r)
{
	json_t *vms = json_array();
	struct vm *vm;

	for (vm = vm_list; vms && vm; vm = vm->next)
		json_array_append_new(vms, vm_summary(vm));
	reply_result(r, json_pack("{s:o}", "vms", vms));
}

/* Start, stop and kill: answered now, or when the change is done. */
static void change(struct reply *r, struct vm *vm, const struct rpc_call *call)
{
	struct rpc_error err;
	int done;

	switch (call->method) {
	case RPC_START:
		done = sup_start(vm, true, &err);
		break;
	case RPC_STOP:
		done = sup_stop(vm, call->timeout, &err);
		break;
	default:
		done = sup_kill(vm, &err);
		break;
	}
	if (done < 0) {
		reply_rpc_error(r, &err);
	} else if (done > 0) {
		reply_result(r, vm_summary(vm));
	} else if (call->method == RPC_START) {
		r->next = vm->start_waiters;
		vm->start_waiters = r;
	} else {
		r->next = vm->stop_waiters;
		vm->stop_waiters = r;
	}
}

static void forward_done(void *arg, json_t *reply, const char *error)
{
	struct forward *f = arg;
	json_t *result;

	if (error) {
		reply_error(f->r, VMMS_ERR_WORKER, "", "vm '%s': %s", f->name, error);
	} else if (f->method == RPC_REBOOT) {
		reply_result(f->r, json_pack("{s:s, s:b}", "name", f->name, "rebooting", 1));
	} else {
		/* Every field is the worker's and optional; only "ok" is dropped. */
		result = json_deep_copy(reply);
		json_object_del(result, "ok");
		json_object_set_new(result, "name", json_string(f->name));
		reply_result(f->r, result);
	}
	free(f);
}

static void forward(struct reply *r, struct vm *vm, enum rpc_method method)
{
	char control[VMMS_PATH_MAX + 64], err[256];
	struct forward *f;

	if (vm->state != VMMS_STATE_RUNNING) {
		reply_error(r, VMMS_ERR_STATE, "", "vm '%s' is %s", vm->def.name,
			    vmms_state_name(vm->state));
		return;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		reply_error(r, VMMS_ERR_INTERNAL, "", "out of memory");
		return;
	}
	f->r = r;
	f->method = method;
	strcpy(f->name, vm->def.name);
	sup_path(vm, "control", control, sizeof(control));
	if (ctl_request(control, method == RPC_REBOOT ? "reboot" : "stats", CTL_TIMEOUT_MS,
			forward_done, f, err, sizeof(err))) {
		reply_error(r, VMMS_ERR_WORKER, "", "vm '%s': %s", vm->def.name, err);
		free(f);
	}
}

static void console(struct reply *r, struct vm *vm)
{
	char path[VMMS_PATH_MAX + 64];

	if (!vm->pid) {
		reply_error(r, VMMS_ERR_STATE, "", "vm '%s' is %s", vm->def.name,
			    vmms_state_name(vm->state));
		return;
	}
	sup_path(vm, "console", path, sizeof(path));
	reply_result(r, json_pack("{s:s, s:s, s:o}", "name", vm->def.name, "state",
				  vmms_state_name(vm->state), "path", rpc_text(path)));
}

void api_handle(struct reply *r, const struct rpc_call *call)
{
	struct vm *vm = NULL;

	switch (call->method) {
	case RPC_DEFINE:
		define(r, call);
		return;
	case RPC_LIST:
		list(r);
		return;
	case RPC_EVENTS:
		server_subscribe(r->client);
		reply_result(r, json_pack("{s:b}", "subscribed", 1));
		return;
	default:
		break;
	}
	vm = vm_find(call->name);
	if (!vm) {
		reply_error(r, VMMS_ERR_NOT_FOUND, "name", "no vm '%s'", call->name);
		return;
	}
	switch (call->method) {
	case RPC_UNDEFINE:
		undefine(r, vm);
		break;
	case RPC_INFO:
		reply_result(r, vm_info(vm));
		break;
	case RPC_START:
	case RPC_STOP:
	case RPC_KILL:
		change(r, vm, call);
		break;
	case RPC_REBOOT:
	case RPC_STATS:
		forward(r, vm, call->method);
		break;
	case RPC_CONSOLE:
		console(r, vm);
		break;
	default:
		reply_error(r, VMMS_ERR_INTERNAL, "", "method not handled");
		break;
	}
}
