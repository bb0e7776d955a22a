/*
 * netvsp: the host side of hv_netvsc's channel (NVSP, include/hv/netvsc.h;
 * VMBUS.md 5), around the RNDIS device of rndis.h. Pure: the integrator
 * reads each guest packet from the ring and hands it to netvsp_handle(),
 * hands each frame from the TAP device to netvsp_rx(), and carries out
 * what comes back in a struct netvsp_out, in order: packets to write to
 * the host->guest ring and frames to transmit. No I/O, no allocation, no
 * locking (the caller serializes calls on one struct netvsp).
 *
 * Protocol choices (Linux 6.1, drivers/net/hyperv/, is the judge):
 * - Every NVSP version Linux offers is accepted, up to 6.1. From v5 on the
 *   guest asks for RSS capabilities: the device has none, so the guest
 *   keeps one queue and never asks for sub-channels; should it ask anyway,
 *   SUBCHANNEL completes with 0 allocated, which the guest takes as "the
 *   primary channel only" (it then waits for no offer).
 * - Receive buffer: one range of N sections of S bytes, S the largest RNDIS
 *   message the host writes (a 44-byte header, the MTU, an Ethernet header
 *   and an 802.1Q tag, rounded up to 8). Each received frame and each RNDIS
 *   reply takes one section until the guest completes its transfer-page
 *   packet; a frame with no free section is dropped, a reply waits in a
 *   short queue (the guest waits for it without a timeout).
 * - Send buffer: sections of NETVSP_SEND_SECTION_SIZE bytes. A SEND_RNDIS_PKT
 *   is the section's first send_buf_section_size bytes followed by the
 *   packet's GPA ranges; it may carry up to RNDIS_MAX_PKT_PER_MSG messages.
 *   Its completion follows the frames it carried in the output, so the
 *   integrator must transmit (or copy) them before it writes the
 *   completion: the guest reuses the section as soon as it sees it.
 * - Packets are answered by NVSP message type, whatever the descriptor's
 *   flags say (Linux requests a completion exactly where one is due), and
 *   always with the full 40 bytes, except SWITCH_DATA_PATH, which Linux
 *   expects as a completion without payload.
 */
#ifndef SEPTUM_NETVSP_H
#define SEPTUM_NETVSP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "hv/netvsc.h"
#include "hv/vmbus_ring.h"
#include "rndis.h"

#define NETVSP_PAGE_SIZE		4096u
#define NETVSP_SEND_SECTION_SIZE	6144u
/* Linux's largest buffers (NETVSC_RECEIVE_BUFFER_SIZE, _SEND_BUFFER_SIZE);
 * pages beyond these are left unused. */
#define NETVSP_RECV_BUF_PAGES_MAX	(31u << 20 >> 12)
#define NETVSP_SEND_BUF_PAGES_MAX	(15u << 20 >> 12)
#define NETVSP_RECV_SECTIONS_MAX	16384u
/* Data iovecs one guest packet may bring (Linux sends at most 32 page
 * buffers); INIT_COMPLETE announces it as max_mdl_chain_len. */
#define NETVSP_TX_IOV_MAX		64u
/* RNDIS replies and link indications waiting for a free section. */
#define NETVSP_PENDING_MAX		4u
/* What one call can produce: a SEND_RNDIS_PKT's messages and its
 * completion, and the frames' iovecs (each may be split around a tag). */
#define NETVSP_OUT_MAX			(RNDIS_MAX_PKT_PER_MSG + 1)
#define NETVSP_OUT_IOV_MAX		96u

#define NETVSP_ETH_HLEN			14u
#define NETVSP_VLAN_TAG_LEN		4u

struct netvsp_config {
	uint8_t mac[6];
	uint32_t mtu;	/* RNDIS_MTU_MIN..RNDIS_MTU_MAX */
	bool link_up;
	/*
	 * Resolves GPADL gpadl of this channel (the receive or send buffer
	 * the guest names) to the host address of each of its pages, in
	 * order: stores at most max of them in pages. Called during
	 * netvsp_handle(); the addresses must stay valid for the life of the
	 * process (guest_mem pages do).
	 * Return values: the number stored (> 0); negative: no such GPADL.
	 */
	int (*map_gpadl)(void *ctx, uint32_t gpadl, void **pages, uint32_t max);
	void *ctx;
};

/* Everything an admin might ask about; counters only grow. */
struct netvsp_stats {
	uint64_t rx_packets, rx_bytes;		/* handed to the guest */
	uint64_t rx_drop_runt;			/* shorter than an Ethernet header */
	uint64_t rx_drop_oversize;		/* longer than MTU + 14 (+ 4 tagged) */
	uint64_t rx_drop_not_ready;		/* no receive buffer or RNDIS not initialized */
	uint64_t rx_drop_link_down;
	uint64_t rx_drop_filtered;		/* the guest's packet filter refused it */
	uint64_t rx_drop_no_section;		/* every receive section in flight */
	uint64_t tx_packets, tx_bytes;		/* handed to the integrator */
	uint64_t tx_drop_runt, tx_drop_oversize;
	uint64_t tx_drop_not_ready;		/* RNDIS not initialized */
	uint64_t tx_drop_link_down;
	uint64_t tx_drop_no_room;		/* out of output iovecs (a guard) */
	uint64_t rndis_control;			/* control messages handled */
	uint64_t rndis_bad;			/* malformed RNDIS messages */
	uint64_t ctrl_replies;			/* RNDIS replies and indications sent */
	uint64_t ctrl_drop;			/* lost: no receive buffer or queue full */
	uint64_t nvsp_bad;			/* malformed or out-of-state NVSP messages */
	uint64_t nvsp_unknown;			/* NVSP types the host does not serve */
	uint64_t completion_bad;		/* guest completions matching no section */
};

/* A packet for the host->guest ring. */
struct netvsp_packet {
	uint16_t type;		/* VM_PKT_COMP or VM_PKT_DATA_USING_XFER_PAGES */
	uint16_t flags;		/* VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED or 0 */
	uint64_t trans_id;
	uint32_t len;		/* payload bytes of msg: NVSP_MESSAGE_SIZE or 0 */
	struct nvsp_message msg;
	/* XFER_PAGES only: one range of page set pageset_id (the receive
	 * buffer), written after a vmtransfer_page_header with range_cnt 1. */
	uint16_t pageset_id;
	struct vmtransfer_page_range range;
};

/* A frame to transmit: niov iovecs (into the send buffer, the guest's
 * pages, or the netvsp_out itself for an 802.1Q tag), len bytes in all. */
struct netvsp_frame {
	const struct iovec *iov;
	unsigned int niov;
	uint32_t len;
};

enum netvsp_action_kind {
	NETVSP_OUT_PACKET,
	NETVSP_OUT_FRAME,
};

struct netvsp_action {
	enum netvsp_action_kind kind;
	union {
		struct netvsp_packet pkt;
		struct netvsp_frame frame;
	};
};

/* Filled by every call below (emptied first); valid until the next. */
struct netvsp_out {
	unsigned int n;
	struct netvsp_action a[NETVSP_OUT_MAX];
	unsigned int niov;
	struct iovec iov[NETVSP_OUT_IOV_MAX];
	uint8_t vlan_tag[NETVSP_OUT_MAX][NETVSP_VLAN_TAG_LEN];
};

/* The state of one channel; large (the buffers' page tables), allocate it
 * once. Read stats and rndis freely; change nothing. */
struct netvsp {
	struct netvsp_config cfg;
	struct rndis rndis;
	uint32_t version;	/* negotiated NVSP version, 0 before INIT succeeds */
	uint32_t ndis_major, ndis_minor;
	uint32_t guest_mtu;	/* from SEND_NDIS_CONFIG: the guest's MTU + 14 */
	uint64_t guest_caps;

	bool recv_mapped;
	uint16_t recv_id;
	uint32_t recv_section_size;	/* S */
	uint32_t recv_sections;		/* N */
	uint32_t recv_gen;		/* high half of each transfer's trans_id */
	uint32_t recv_hint;		/* bitmap word to search first */
	uint64_t recv_busy[NETVSP_RECV_SECTIONS_MAX / 64];
	void *recv_page[NETVSP_RECV_BUF_PAGES_MAX];

	bool send_mapped;
	uint16_t send_id;
	uint32_t send_sections;
	void *send_page[NETVSP_SEND_BUF_PAGES_MAX];

	unsigned int pending_head, pending_n;
	struct {
		uint32_t len;
		uint8_t bytes[RNDIS_REPLY_MAX];
	} pending[NETVSP_PENDING_MAX];

	struct netvsp_stats stats;
};

/*
 * Sets up n for a newly opened channel (call again when it is reopened).
 * Return values: 0; -EINVAL an MTU out of range or no map_gpadl.
 */
int netvsp_init(struct netvsp *n, const struct netvsp_config *cfg);

/*
 * One packet from the guest: its VMBus type (VM_PKT_DATA_INBAND,
 * VM_PKT_DATA_USING_GPA_DIRECT or VM_PKT_COMP), trans_id and payload (the
 * NVSP message, len bytes), and for GPA_DIRECT the bytes its ranges
 * describe as niov iovecs into guest memory.
 * Return values: 0; -EBADMSG the packet was malformed or came out of turn
 * (counted; out may still hold a failure completion for the guest).
 */
int netvsp_handle(struct netvsp *n, uint16_t type, uint64_t trans_id, const void *payload,
		  uint32_t len, const struct iovec *data, unsigned int niov, struct netvsp_out *out);

/*
 * A frame from the outside for the guest: copied into a receive section,
 * handed over by the transfer-page packet in out.
 * Return values: 0; -ENOBUFS dropped (the counters say why).
 */
int netvsp_rx(struct netvsp *n, const void *frame, uint32_t len, struct netvsp_out *out);

/*
 * The link went up or down: the guest hears it through an INDICATE_STATUS
 * once RNDIS is initialized (before, it asks MEDIA_CONNECT_STATUS), and
 * meanwhile frames are dropped both ways.
 * Return values: 0; -ENOBUFS the indication was lost (no receive buffer,
 * or NETVSP_PENDING_MAX messages already wait for a section).
 */
int netvsp_link(struct netvsp *n, bool up, struct netvsp_out *out);

#endif
