/*
 * Event notifications to the clients that called "events": a JSON-RPC
 * notification "event" per state change, definition and undefinition
 * (docs/vmms-api.md, "events").
 */
#ifndef VMMS_EVENTS_H
#define VMMS_EVENTS_H

#include "vm.h"

void events_state(const struct vm *vm, enum vmms_state previous);
void events_defined(const struct vm *vm);
void events_undefined(const char *name);

#endif
