/*
 * Host side of the Hyper-V integration services: shutdown, timesync,
 * heartbeat and KVP. Every IC is host-initiated: once the guest has opened
 * the channel the host sends NEGOTIATE, then one request at a time, and the
 * guest answers each in place (same length, same trans_id).
 *
 * This code only builds request payloads (the bytes after the 16-byte
 * packet descriptor, sent INBAND) and parses the guest's replies; the
 * caller does the I/O. Replies are hostile input: ic_reply never trusts a
 * size or string in them. One struct ic per channel, one caller at a time.
 */
#ifndef SEPTUM_IC_H
#define SEPTUM_IC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/vmbus_ic.h"

enum ic_service { IC_SHUTDOWN, IC_TIMESYNC, IC_HEARTBEAT, IC_KVP };

enum ic_state {
	IC_IDLE,	/* channel open, nothing sent: ic_negotiate next */
	IC_NEGOTIATING, /* NEGOTIATE out */
	IC_READY,	/* versions agreed, nothing out */
	IC_WAITING,	/* a service request out */
	IC_FAILED,	/* no common version: the service is unusable */
};

/* Largest request any service builds (KVP ENUMERATE), padded to 8. */
#define IC_REQUEST_MAX 2608

/* ic_kvp_set/get/delete take keys and values a Linux guest hands back
 * unchanged: hv_kvp.c converts them to UTF-8 in 511/2047 bytes and back to
 * UTF-16 in 254/1022 units (without the NUL). */
#define IC_KVP_KEY_MAX_UNITS   254
#define IC_KVP_KEY_MAX_BYTES   511
#define IC_KVP_VALUE_MAX_UNITS 1022
#define IC_KVP_VALUE_MAX_BYTES 2047

/* UTF-8 buffers for what a guest returns: up to 3 bytes per UTF-16 unit of
 * the 512/2048-byte fields, NUL included. */
#define IC_KVP_KEY_UTF8_SIZE   (3 * HV_KVP_EXCHANGE_MAX_KEY_SIZE / 2)
#define IC_KVP_VALUE_UTF8_SIZE (3 * HV_KVP_EXCHANGE_MAX_VALUE_SIZE / 2)

struct ic {
	enum ic_service service;
	enum ic_state state;
	uint16_t fw_major, fw_minor; /* negotiated */
	uint16_t srv_major, srv_minor;
	uint64_t heartbeat_seq; /* sent in the next heartbeat */
	/* Counts requests. Put it in the outstanding request's packet
	 * descriptor; its low byte also travels as ictransaction_id, which
	 * ic_reply checks to drop stale replies. */
	uint64_t trans_id;
	size_t req_len;		  /* payload bytes of the outstanding request */
	uint16_t req_type;	  /* its ICMSGTYPE_* */
	uint8_t kvp_op, kvp_pool; /* of an outstanding KVP request */
	uint32_t kvp_index;
};

enum ic_event_type {
	IC_EV_IGNORED,		  /* stale or malformed reply; reason says why */
	IC_EV_NEGOTIATED,	  /* negotiated: the versions are set */
	IC_EV_NEGOTIATION_FAILED, /* reason says why; state is IC_FAILED */
	IC_EV_HEARTBEAT,	  /* heartbeat_seq: what the guest returned */
	IC_EV_SHUTDOWN,		  /* shutdown_accepted: status == HV_S_OK */
	IC_EV_TIMESYNC_ACK,	  /* the guest took the sample */
	IC_EV_KVP,		  /* status; after GET or ENUMERATE, key and value */
	IC_EV_KVP_END,		  /* ENUMERATE answered HV_S_CONT: past the end */
};

struct ic_event {
	enum ic_event_type type;
	uint32_t status;    /* the reply's icmsg status */
	const char *reason; /* static text for a log line, or NULL */
	struct {
		uint16_t fw_major, fw_minor, srv_major, srv_minor;
	} negotiated;
	uint64_t heartbeat_seq;
	bool shutdown_accepted;
	struct {
		uint8_t op, pool;
		uint32_t index;			/* ENUMERATE */
		char key[IC_KVP_KEY_UTF8_SIZE]; /* UTF-8, NUL-terminated */
		char value[IC_KVP_VALUE_UTF8_SIZE];
	} kvp;
};

void ic_init(struct ic *ic, enum ic_service service);

/*
 * Each builds the payload of the next request into buf and returns its
 * length (a multiple of 8, so the guest's echo has exactly this length), or
 * 0 if nothing was built: a request is outstanding, the state does not allow
 * it (negotiation first, and only once), it is not this channel's service,
 * an argument is invalid, or cap is too small.
 */
size_t ic_negotiate(struct ic *ic, void *buf, size_t cap);
size_t ic_heartbeat(struct ic *ic, void *buf, size_t cap);
/* reboot: restart instead of power off; force: the guest's "force" bit. */
size_t ic_shutdown(struct ic *ic, bool reboot, bool force, void *buf, size_t cap);
/* unix_time_ns: host UTC now; reference_time_100ns: the child's partition
 * reference counter when it was sampled (used from version 4.0). sync: the
 * guest sets its clock (after open or resume); otherwise a sample. */
size_t ic_timesync(struct ic *ic, uint64_t unix_time_ns, uint64_t reference_time_100ns, bool sync,
		   void *buf, size_t cap);
/* Keys and values are NUL-terminated UTF-8, keys not empty; see the
 * IC_KVP_*_MAX_* limits. pool is a KVP_POOL_*. */
size_t ic_kvp_enumerate(struct ic *ic, uint8_t pool, uint32_t index, void *buf, size_t cap);
size_t ic_kvp_set(struct ic *ic, uint8_t pool, const char *key, const char *value, void *buf,
		  size_t cap);
size_t ic_kvp_get(struct ic *ic, uint8_t pool, const char *key, void *buf, size_t cap);
size_t ic_kvp_delete(struct ic *ic, uint8_t pool, const char *key, void *buf, size_t cap);

/*
 * A guest reply: the payload after the descriptor, len = (len8 - offset8) * 8
 * bytes, whose descriptor trans_id the caller may check too. Fills ev and
 * returns ev->type. A reply that is not the answer to the outstanding
 * request (too short, other type or transaction, not a response) is
 * IGNORED and the request stays outstanding; the answer ends it, and if it
 * is malformed it is IGNORED too (NEGOTIATION_FAILED for a NEGOTIATE).
 */
int ic_reply(struct ic *ic, const void *payload, size_t len, struct ic_event *ev);

/* Gives up on the outstanding request (the caller's timeout): its answer,
 * should it come, is then stale. A NEGOTIATE may be sent again. */
void ic_cancel(struct ic *ic);

/* For the service files: icmsg.c starts a request (headers written, the
 * body zeroed at buf + ICMSG_HDR) and returns its length or 0; each service
 * parses the body of the answer to its request. */
size_t ic_request(struct ic *ic, uint16_t type, size_t body_size, void *buf, size_t cap);
int ic_ignore(struct ic_event *ev, const char *reason);
int ic_heartbeat_reply(struct ic *ic, const uint8_t *body, size_t size, uint32_t status,
		       struct ic_event *ev);
int ic_shutdown_reply(uint32_t status, struct ic_event *ev);
int ic_timesync_reply(struct ic_event *ev);
int ic_kvp_reply(struct ic *ic, const uint8_t *body, size_t size, uint32_t status,
		 struct ic_event *ev);

#endif
