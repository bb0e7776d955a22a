/*
 * The RNDIS device behind netvsp: answers the control messages hv_netvsc
 * sends (INIT, QUERY, SET, HALT, and RESET and KEEPALIVE should they come),
 * parses the header of each PACKET message the guest transmits, and builds
 * the messages the host sends: a PACKET around each received frame and an
 * INDICATE_STATUS when the link changes (include/hv/netvsc.h; Linux
 * drivers/net/hyperv/rndis_filter.c, v6.1, is what checks the replies).
 *
 * The device offers no offloads, one receive queue and no RSS, so the guest
 * checksums and segments every frame itself; the one PPI that changes a
 * transmitted frame is the 802.1Q tag, which rndis_parse_packet reports. No I/O, no allocation:
 * the caller (netvsp.c) moves the bytes.
 */
#ifndef SEPTUM_RNDIS_H
#define SEPTUM_RNDIS_H

#include <stdbool.h>
#include <stdint.h>

/* What INIT_CMPLT promises: up to 8 PACKET messages per send, each padded
 * to 1 << 3 bytes, and data messages of at most 16 KiB (frames stay below
 * RNDIS_MTU_MAX + headers). */
#define RNDIS_MAX_PKT_PER_MSG		8
#define RNDIS_PKT_ALIGNMENT_FACTOR	3
#define RNDIS_MAX_XFER_SIZE		0x4000
#define RNDIS_MTU_MIN			68
#define RNDIS_MTU_MAX			9000

/* OID_GEN_LINK_SPEED, in units of 100 bit/s: 10 Gbit/s. */
#define RNDIS_LINK_SPEED		100000000u

/* The longest reply rndis_control() builds, and the most bytes of a
 * control message it reads (Linux's longest, an RSS SET, is 628). */
#define RNDIS_REPLY_MAX			256
#define RNDIS_CONTROL_MAX		1024

/* The bytes of a PACKET message rndis_parse_packet() sees: the header and
 * every PPI must lie within them (Linux puts its PPIs, at most 64 bytes,
 * right after the 44-byte header). */
#define RNDIS_PACKET_HEAD_MAX		256

/* Sizes of what rndis_rx_header() and rndis_indicate() write. */
#define RNDIS_RX_HEADER_SIZE		44
#define RNDIS_INDICATE_SIZE		20

struct rndis {
	uint8_t permanent_mac[6];
	uint8_t mac[6];		/* current: the guest may set another one */
	uint32_t mtu;
	bool link_up;
	bool initialized;	/* between INIT and HALT */
	uint32_t filter;	/* NDIS_PACKET_TYPE_*; 0 until the guest opens the device */
	uint64_t unsupported;	/* unknown messages and OIDs answered NOT_SUPPORTED */
};

/* A transmitted PACKET message: its frame is data_len bytes at data_offset
 * from the message start; vlan says the frame leaves with tag vlan_tci. */
struct rndis_tx {
	uint32_t data_offset;
	uint32_t data_len;
	bool vlan;
	uint16_t vlan_tci;
};

/* mtu must lie in [RNDIS_MTU_MIN, RNDIS_MTU_MAX] (netvsp_init checks). */
void rndis_init(struct rndis *r, const uint8_t mac[6], uint32_t mtu, bool link_up);

/* Back to the state before INIT (a new NVSP session): the MAC the guest
 * set, the link state and the counters stay. */
void rndis_reset(struct rndis *r);

/*
 * Handles one control message: msg holds its first len bytes, of which
 * its header's msg_len counts the message's own (the rest is ignored).
 * Writes the reply to reply (RNDIS_REPLY_MAX bytes).
 * Return values: the reply's length; 0 no reply is due (HALT, and messages
 * a device does not answer); -EBADMSG too short to be answered.
 */
int rndis_control(struct rndis *r, const void *msg, uint32_t len, void *reply);

/*
 * Parses a PACKET message of msg_len bytes whose first head_len bytes
 * (min(msg_len, RNDIS_PACKET_HEAD_MAX)) are at head: the data, OOB and PPI
 * regions must lie inside the message and behind the header, the PPIs
 * inside head and well formed.
 * Return values: 0 and *tx filled in; -EBADMSG.
 */
int rndis_parse_packet(const void *head, uint32_t head_len, uint32_t msg_len, struct rndis_tx *tx);

/* Whether the guest's packet filter takes a frame for destination dst. */
bool rndis_rx_wanted(const struct rndis *r, const uint8_t dst[6]);

/* The PACKET header (RNDIS_RX_HEADER_SIZE bytes) in front of a received
 * frame of frame_len bytes. */
void rndis_rx_header(void *buf, uint32_t frame_len);

/* The INDICATE_STATUS (RNDIS_INDICATE_SIZE bytes) for the link state. */
void rndis_indicate(const struct rndis *r, void *buf);

#endif
