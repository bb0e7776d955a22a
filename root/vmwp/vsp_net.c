/*
 * netvsp on its channel, with a TAP device as the wire (vsp_net.h). The
 * channel thread does both directions: guest packets through netvsp_handle,
 * and, when the TAP device is readable, frames through netvsp_rx; what
 * netvsp answers (ring packets, frames to send) is carried out in order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hv/vmbus.h"

#include "netvsp.h"
#include "vmbus_host.h"
#include "vmwp.h"
#include "vsp_net.h"

#define MTU		1500
#define RX_BURST	64	/* frames per wake, so guest packets are not starved */

static struct {
	struct vsp_device dev;
	int tap;
	char ifname[IFNAMSIZ];
	uint8_t mac[6];
	struct netvsp *n;		/* the open channel's; its thread only */
	pthread_mutex_t stats_lock;
	struct netvsp_stats stats;	/* a copy for the control socket */
	uint64_t tx_errors;
} net = { .tap = -1, .stats_lock = PTHREAD_MUTEX_INITIALIZER };

static int if_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r = s < 0 ? -1 : ioctl(s, req, ifr);

	if (s >= 0)
		close(s);
	return r;
}

/* A TAP device named after the VM, up, in bridge br. */
static int open_tap(const char *br, const char *name, char *err, size_t errlen)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "--nic: /dev/net/tun: %s (is the tun module loaded?)",
			 strerror(errno));
		return -1;
	}
	snprintf(ifr.ifr_name, IFNAMSIZ, "vm-%.10s%s", *name ? name : "", *name ? "" : "%d");
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		snprintf(err, errlen, "--nic: TAP device %s: %s", ifr.ifr_name, strerror(errno));
		close(fd);
		return -1;
	}
	memcpy(net.ifname, ifr.ifr_name, IFNAMSIZ);
	if (if_ioctl(SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if_ioctl(SIOCSIFFLAGS, &ifr);
	}
	if (if_ioctl(SIOCGIFINDEX, &ifr)) {
		snprintf(err, errlen, "--nic: %s: %s", net.ifname, strerror(errno));
		close(fd);
		return -1;
	}
	{
		struct ifreq b = { .ifr_ifindex = ifr.ifr_ifindex };

		snprintf(b.ifr_name, IFNAMSIZ, "%s", br);
		if (if_ioctl(SIOCBRADDIF, &b)) {
			snprintf(err, errlen, "--nic bridge:%s: cannot attach %s: %s%s", br,
				 net.ifname, strerror(errno),
				 errno == ENODEV ? " (create it first: ip link add NAME type bridge)" : "");
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int net_packet(struct channel *c, const struct vmbus_pkt *p);
static void net_opened(struct channel *c);
static void net_closed(struct channel *c);
static void net_tick(struct channel *c);
static int net_wait_fd(struct channel *c);

static const struct channel_ops net_ops = {
	.opened = net_opened,
	.packet = net_packet,
	.tick = net_tick,
	.wait_fd = net_wait_fd,
	.closed = net_closed,
	.max_packet = 16 + 8 + 16 * NETVSP_TX_IOV_MAX + NVSP_MESSAGE_SIZE,
};

int vsp_net_add(const char *spec, const char *name, char *err, size_t errlen)
{
	uint32_t h = 2166136261u;

	if (net.tap >= 0) {
		snprintf(err, errlen, "--nic %s: one NIC per VM", spec);
		return -1;
	}
	if (strncmp(spec, "bridge:", 7) || !spec[7] || strlen(spec + 7) >= IFNAMSIZ) {
		snprintf(err, errlen, "--nic %s: want bridge:NAME", spec);
		return -1;
	}
	net.tap = open_tap(spec + 7, name, err, errlen);
	if (net.tap < 0)
		return -1;
	/* A locally administered MAC, stable for a VM's name. */
	for (const char *s = *name ? name : net.ifname; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	memcpy(net.mac, (uint8_t[]){ 0x02, 0x53, 0x50, h >> 16, h >> 8, h }, 6);
	net.dev = (struct vsp_device){
		.name = "netvsp", .class_id = HV_GUID_NETWORK,
		.instance_id = HV_GUID(0x5e970003, 0x4e1c, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 1),
		.ops = &net_ops, .vsp = &net,
	};
	logmsg("NIC %02x:%02x:%02x:%02x:%02x:%02x on %s in bridge %s", net.mac[0], net.mac[1],
	       net.mac[2], net.mac[3], net.mac[4], net.mac[5], net.ifname, spec + 7);
	return vmbus_host_add(&net.dev);
}

static int map_gpadl(void *ctx, uint32_t gpadl, void **pages, uint32_t max)
{
	return vmbus_host_map_gpadl(ctx, gpadl, pages, max);
}

static void net_opened(struct channel *c)
{
	struct netvsp_config cfg = { .mtu = MTU, .link_up = true, .map_gpadl = map_gpadl, .ctx = c };

	memcpy(cfg.mac, net.mac, 6);
	net.n = calloc(1, sizeof(*net.n));
	if (!net.n || netvsp_init(net.n, &cfg)) {
		logmsg("netvsp: cannot set up the channel");
		free(net.n);
		net.n = NULL;
	}
	c->priv = net.n;
}

static void net_closed(struct channel *c)
{
	pthread_mutex_lock(&net.stats_lock);
	if (net.n)
		net.stats = net.n->stats;
	pthread_mutex_unlock(&net.stats_lock);
	free(net.n);
	net.n = NULL;
	c->priv = NULL;
}

static int net_wait_fd(struct channel *c)
{
	(void)c;
	return net.tap;
}

static void send_packet(struct channel *c, const struct netvsp_packet *pk)
{
	struct vmtransfer_page_header xh = { .xfer_pageset_id = pk->pageset_id, .range_cnt = 1 };
	uint32_t hdr = sizeof(struct vmpacket_descriptor) + sizeof(xh) + sizeof(pk->range);
	struct vmpacket_descriptor d = {
		.type = pk->type, .offset8 = hdr / 8, .len8 = (hdr + pk->len + 7) / 8,
		.flags = pk->flags, .trans_id = pk->trans_id,
	};
	struct iovec iov[4] = { { &d, sizeof(d) }, { &xh, sizeof(xh) },
				{ (void *)&pk->range, sizeof(pk->range) },
				{ (void *)&pk->msg, pk->len } };

	if (pk->type != VM_PKT_DATA_USING_XFER_PAGES) {
		channel_send(c, pk->type, pk->flags, pk->trans_id, &pk->msg, pk->len);
		return;
	}
	channel_send_packet(c, iov, 4);
}

static void carry_out(struct channel *c, const struct netvsp_out *out)
{
	for (unsigned i = 0; i < out->n; i++) {
		const struct netvsp_action *a = &out->a[i];

		if (a->kind == NETVSP_OUT_PACKET) {
			send_packet(c, &a->pkt);
		} else if (writev(net.tap, a->frame.iov, (int)a->frame.niov) != (ssize_t)a->frame.len) {
			net.tx_errors++;	/* the bridge drops too when full */
		}
	}
}

static int net_packet(struct channel *c, const struct vmbus_pkt *p)
{
	static struct netvsp_out out;
	struct iovec iov[NETVSP_TX_IOV_MAX];
	int niov = 0;

	if (!net.n)
		return -ENOMEM;
	if (p->type == VM_PKT_DATA_USING_GPA_DIRECT) {
		niov = vmbus_pkt_gpa_iov(p, c->mem, iov, NETVSP_TX_IOV_MAX);
		if (niov < 0)
			return niov;
	}
	if (netvsp_handle(net.n, p->type, p->trans_id, p->payload, p->payload_len,
			  niov ? iov : NULL, (unsigned)niov, &out) && verbose)
		logmsg("netvsp: malformed or out-of-turn packet (type %u)", p->type);
	carry_out(c, &out);
	return 0;
}

static void net_tick(struct channel *c)
{
	static uint8_t frame[65536];
	static struct netvsp_out out;

	for (int i = 0; net.n && i < RX_BURST; i++) {
		ssize_t len = read(net.tap, frame, sizeof(frame));

		if (len <= 0)
			break;
		if (!netvsp_rx(net.n, frame, (uint32_t)len, &out))
			carry_out(c, &out);
	}
	pthread_mutex_lock(&net.stats_lock);
	if (net.n)
		net.stats = net.n->stats;
	pthread_mutex_unlock(&net.stats_lock);
}

void vsp_net_stats(char *out, size_t len)
{
	size_t n = strlen(out);

	if (net.tap < 0) {
		snprintf(out + n, len - n, "null");
		return;
	}
	pthread_mutex_lock(&net.stats_lock);
	snprintf(out + n, len - n,
		 "{\"tap\":\"%s\",\"rx_packets\":%llu,\"rx_bytes\":%llu,\"tx_packets\":%llu,"
		 "\"tx_bytes\":%llu,\"rx_dropped\":%llu,\"tx_errors\":%llu}",
		 net.ifname, (unsigned long long)net.stats.rx_packets,
		 (unsigned long long)net.stats.rx_bytes, (unsigned long long)net.stats.tx_packets,
		 (unsigned long long)net.stats.tx_bytes,
		 (unsigned long long)(net.stats.rx_drop_no_section + net.stats.rx_drop_not_ready +
				      net.stats.rx_drop_oversize + net.stats.rx_drop_filtered),
		 (unsigned long long)net.tx_errors);
	pthread_mutex_unlock(&net.stats_lock);
}
