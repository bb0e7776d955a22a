/* The VM table and its state changes (vm.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "log.h"
#include "supervisor.h"
#include "vm.h"

struct vm *vm_list;

struct vm *vm_find(const char *name)
{
	struct vm *vm;

	for (vm = vm_list; vm; vm = vm->next)
		if (!strcmp(vm->def.name, name))
			return vm;
	return NULL;
}

unsigned vm_count(void)
{
	unsigned n = 0;
	struct vm *vm;

	for (vm = vm_list; vm; vm = vm->next)
		n++;
	return n;
}

struct vm *vm_add(const struct vmdef *def)
{
	struct vm *vm = calloc(1, sizeof(*vm)), **p;

	if (!vm)
		return NULL;
	vm->def = *def;
	vm->state = VMMS_STATE_OFF;
	snprintf(vm->reason, sizeof(vm->reason), "defined");
	vm->since = time(NULL);
	vm->pidfd.fd = -1;
	vm->exit_status = -1;
	for (p = &vm_list; *p && strcmp((*p)->def.name, def->name) < 0; p = &(*p)->next)
		;
	vm->next = *p;
	*p = vm;
	return vm;
}

static void answer_all(struct reply **list, const struct vm *vm, int code, const char *message)
{
	struct reply *r;

	while ((r = *list)) {
		*list = r->next;
		if (code)
			reply_error(r, code, "", "%s", message);
		else
			reply_result(r, vm_summary(vm));
	}
}

void vm_remove(struct vm *vm)
{
	struct vm **p;

	answer_all(&vm->start_waiters, vm, VMMS_ERR_NOT_FOUND, "vm undefined");
	answer_all(&vm->stop_waiters, vm, VMMS_ERR_NOT_FOUND, "vm undefined");
	for (p = &vm_list; *p; p = &(*p)->next) {
		if (*p == vm) {
			*p = vm->next;
			break;
		}
	}
	free(vm);
}

void vm_set_state(struct vm *vm, enum vmms_state state, const char *fmt, ...)
{
	enum vmms_state previous = vm->state;
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->reason, sizeof(vm->reason), fmt, ap);
	va_end(ap);
	vm->state = state;
	vm->since = time(NULL);
	vmms_log("%s: %s -> %s: %s", vm->def.name, vmms_state_name(previous),
		 vmms_state_name(state), vm->reason);
	events_state(vm, previous);
	if (previous == VMMS_STATE_STARTING && state != VMMS_STATE_STARTING) {
		if (state == VMMS_STATE_RUNNING) {
			answer_all(&vm->start_waiters, vm, 0, NULL);
		} else if (state == VMMS_STATE_STOPPING) {
			snprintf(message, sizeof(message), "vm '%s' was stopped while starting",
				 vm->def.name);
			answer_all(&vm->start_waiters, vm, VMMS_ERR_STATE, message);
		} else {
			snprintf(message, sizeof(message), "vm '%s' did not start: %s",
				 vm->def.name, vm->reason);
			answer_all(&vm->start_waiters, vm, VMMS_ERR_WORKER, message);
		}
	}
	if (state == VMMS_STATE_OFF || state == VMMS_STATE_CRASHED)
		answer_all(&vm->stop_waiters, vm, 0, NULL);
}

json_t *vm_summary(const struct vm *vm)
{
	return json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:o}", "name", vm->def.name, "state",
			 vmms_state_name(vm->state), "reason", rpc_text(vm->reason), "since",
			 (json_int_t)vm->since, "memory", (json_int_t)vm->def.memory_mib, "vps",
			 (json_int_t)vm->def.vps, "pid",
			 vm->pid ? json_integer(vm->pid) : json_null());
}

json_t *vm_info(const struct vm *vm)
{
	char console[VMMS_PATH_MAX + 64], log[VMMS_PATH_MAX + 64];
	json_t *info = vm_summary(vm), *exit = json_null();

	if (!info)
		return NULL;
	sup_path(vm, "console", console, sizeof(console));
	sup_path(vm, "log", log, sizeof(log));
	if (vm->exit_signal)
		exit = json_pack("{s:n, s:i}", "status", "signal", vm->exit_signal);
	else if (vm->exit_status >= 0)
		exit = json_pack("{s:i, s:n}", "status", vm->exit_status, "signal");
	if (json_object_update_new(info,
				   json_pack("{s:o, s:I, s:b, s:o, s:o, s:o}", "definition",
					     vmdef_to_json(&vm->def), "restarts",
					     (json_int_t)vm->restarts, "adopted", vm->adopted,
					     "console", vm->pid ? rpc_text(console) : json_null(),
					     "log", rpc_text(log), "exit", exit))) {
		json_decref(info);
		return NULL;
	}
	return info;
}
