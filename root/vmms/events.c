/* Event notifications (events.h). */
#include <stdlib.h>
#include <time.h>

#include "events.h"
#include "log.h"
#include "rpc.h"

static void send_event(json_t *params)
{
	char *line = rpc_notification_line("event", params);

	if (!line) {
		vmms_log("out of memory encoding an event");
		return;
	}
	server_broadcast(line);
	free(line);
}

void events_state(const struct vm *vm, enum vmms_state previous)
{
	send_event(json_pack("{s:s, s:s, s:s, s:s, s:o, s:I}", "event", "state", "name",
			     vm->def.name, "state", vmms_state_name(vm->state), "previous",
			     vmms_state_name(previous), "reason", rpc_text(vm->reason), "time",
			     (json_int_t)vm->since));
}

void events_defined(const struct vm *vm)
{
	send_event(json_pack("{s:s, s:s, s:s, s:I}", "event", "defined", "name", vm->def.name,
			     "state", vmms_state_name(vm->state), "time", (json_int_t)time(NULL)));
}

void events_undefined(const char *name)
{
	send_event(json_pack("{s:s, s:s, s:I}", "event", "undefined", "name", name, "time",
			     (json_int_t)time(NULL)));
}
