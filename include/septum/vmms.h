/*
 * The VMMS API (root/vmms/, the daemon septum-vmms; its client
 * root/septumctl/): JSON-RPC 2.0 on a Unix stream socket, one request or
 * response per line. docs/vmms-api.md is the schema: every method, its
 * params, results and errors, and the definition file format.
 *
 * This header holds what the daemon and its clients must agree on: default
 * paths, limits, the state names and the error codes.
 */
#ifndef SEPTUM_VMMS_H
#define SEPTUM_VMMS_H

#define VMMS_SOCKET_PATH	"/run/septum/vmms.sock"
#define VMMS_RUN_DIR		"/run/septum"
#define VMMS_STATE_DIR		"/var/lib/septum"
#define VMMS_GROUP		"septum"	/* besides root, who may manage VMs */
#define VMMS_SOCKET_NAME	"vmms.sock"	/* in the run dir */

/* One request line, its '\n' included; a longer one closes the connection. */
#define VMMS_MAX_REQUEST	(64 * 1024)
#define VMMS_MAX_CLIENTS	64
#define VMMS_MAX_VMS		256

/* Definition limits (docs/vmms-api.md, "Definition file"). */
#define VMMS_NAME_MAX		32	/* [a-z0-9][a-z0-9-]{0,31} */
#define VMMS_MEMORY_MIN_MIB	16
#define VMMS_MEMORY_MAX_MIB	(4u << 20)	/* 4 TiB */
#define VMMS_VPS_MAX		16
#define VMMS_DISKS_MAX		8
#define VMMS_CMDLINE_MAX	2047	/* Linux's x86 COMMAND_LINE_SIZE less its NUL */
#define VMMS_PATH_MAX		4095
#define VMMS_BRIDGE_MAX		15	/* IFNAMSIZ less its NUL */
#define VMMS_CMDLINE_DEFAULT	"console=ttyS0"

/* start refuses unless MemAvailable covers the VM's memory plus this. */
#define VMMS_MEM_OVERHEAD_MIB	64
/* stop: seconds the guest has to power off before the stop is forced. */
#define VMMS_STOP_TIMEOUT_S	30
#define VMMS_STOP_TIMEOUT_MAX_S	3600

enum vmms_state {
	VMMS_STATE_OFF,
	VMMS_STATE_STARTING,
	VMMS_STATE_RUNNING,
	VMMS_STATE_STOPPING,
	VMMS_STATE_CRASHED,
	VMMS_STATE_COUNT
};

static inline const char *vmms_state_name(enum vmms_state s)
{
	static const char *const names[VMMS_STATE_COUNT] = {
		"off", "starting", "running", "stopping", "crashed",
	};

	return (unsigned)s < VMMS_STATE_COUNT ? names[s] : "unknown";
}

/* JSON-RPC 2.0's own error codes. */
#define VMMS_ERR_PARSE		-32700	/* not JSON */
#define VMMS_ERR_REQUEST	-32600	/* not a request object, or too long */
#define VMMS_ERR_METHOD		-32601	/* no such method */
#define VMMS_ERR_PARAMS		-32602	/* unknown, missing or bad parameter */
#define VMMS_ERR_INTERNAL	-32603
/* Ours; error.data.key names the offending key where there is one. */
#define VMMS_ERR_NOT_FOUND	-32001	/* no VM of that name */
#define VMMS_ERR_INVALID	-32002	/* invalid definition (or file missing at start) */
#define VMMS_ERR_EXISTS		-32003	/* define: the name is taken */
#define VMMS_ERR_STATE		-32004	/* not possible in the VM's state */
#define VMMS_ERR_NO_MEMORY	-32005	/* start: not enough memory available */
#define VMMS_ERR_DENIED		-32006	/* caller is neither root nor in the group */
#define VMMS_ERR_WORKER		-32007	/* the worker failed or did not answer */
#define VMMS_ERR_BUSY		-32008	/* too many clients or requests in flight */
#define VMMS_ERR_IO		-32009	/* the state dir could not be written */

/* septumctl's exit statuses (septumctl --help). */
#define SEPTUMCTL_EXIT_OK		0
#define SEPTUMCTL_EXIT_USAGE		1
#define SEPTUMCTL_EXIT_UNREACHABLE	2	/* no daemon, or access refused */
#define SEPTUMCTL_EXIT_NOT_FOUND	3
#define SEPTUMCTL_EXIT_INVALID		4	/* bad definition or arguments */
#define SEPTUMCTL_EXIT_STATE		5	/* wrong state, e.g. start of a running VM */
#define SEPTUMCTL_EXIT_ERROR		6

#endif
