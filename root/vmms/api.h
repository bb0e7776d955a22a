/*
 * The API's methods (docs/vmms-api.md), each behind a parsed and checked
 * call (rpc.h): define and undefine persist definitions in the state dir
 * (store.h), start/stop/kill go to the supervisor, reboot and stats to the
 * worker's control socket, events subscribes the connection.
 */
#ifndef VMMS_API_H
#define VMMS_API_H

#include "rpc.h"
#include "server.h"

/* state_fd: the state dir, for define and undefine. */
void api_init(int state_fd, const char *state_dir);

/* Loads every definition in the state dir at start-up; a file that cannot
 * be read or is invalid is logged and left alone. */
void api_load(void);

/* Carries out call and finishes r, now or when the change is done. */
void api_handle(struct reply *r, const struct rpc_call *call);

#endif
