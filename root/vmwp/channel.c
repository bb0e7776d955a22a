/*
 * The channel thread (channel.h). Replies are batched: packets written
 * while a batch of guest packets is handled become visible with one
 * write_index update, and the guest gets at most one signal per batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hv/vmbus.h"
#include "septum/vid.h"

#include "channel.h"
#include "vmwp.h"

#define SEND_RETRY_MS	100

static void signal_guest(struct channel *c)
{
	struct septum_vid_event e = { .vp_index = c->target_vp, .sint = VMBUS_MESSAGE_SINT,
				      .flag = (uint16_t)c->relid };

	c->signals_out++;
	vid(vm.part, SEPTUM_VID_SIGNAL_EVENT, &e);
}

static void fail(struct channel *c, const char *what, int rc)
{
	if (!c->dead)
		logmsg("channel %s (relid %u): %s (%s): channel stopped", c->name, c->relid, what,
		       strerror(-rc));
	c->dead = true;
}

/* Asked to stop (a close waits for us), or dead. */
static bool stopping(struct channel *c)
{
	return __atomic_load_n(&c->stop, __ATOMIC_ACQUIRE) || c->dead;
}

static void commit_writes(struct channel *c)
{
	int rc = vmbus_ring_commit_write(&c->out);

	if (rc > 0)
		signal_guest(c);
	else if (rc < 0)
		fail(c, "host->guest ring corrupt", rc);
}

/* Waits until the guest signals (it frees ring space) or the channel
 * stops; false if it stopped. */
static bool wait_guest(struct channel *c)
{
	struct pollfd p = { .fd = c->efd, .events = POLLIN };
	uint64_t v;

	if (stopping(c))
		return false;
	if (poll(&p, 1, SEND_RETRY_MS) > 0 && read(c->efd, &v, sizeof(v)) == sizeof(v))
		c->signals_in++;
	return !stopping(c);
}

int channel_send_packet(struct channel *c, const struct iovec *iov, unsigned n)
{
	for (;;) {
		int rc;

		if (c->dead)
			return -EPIPE;
		rc = vmbus_ring_write(&c->out, iov, n);
		if (!rc) {
			c->packets_out++;
			return 0;
		}
		if (rc != -EAGAIN) {
			fail(c, "cannot write to the host->guest ring", rc);
			return rc;
		}
		/* Full: let the guest see what is there, and wait for room. */
		commit_writes(c);
		if (!wait_guest(c))
			return -EPIPE;
	}
}

int channel_send(struct channel *c, uint16_t type, uint16_t flags, uint64_t trans_id,
		 const void *payload, uint32_t len)
{
	struct vmpacket_descriptor d;
	struct iovec iov[2] = { { &d, sizeof(d) }, { (void *)payload, len } };
	int rc = vmbus_pkt_init_desc(&d, type, flags, trans_id, len);

	if (rc)
		return rc;
	return channel_send_packet(c, iov, len ? 2 : 1);
}

static void drain(struct channel *c)
{
	int rc = 0;

	vmbus_ring_read_begin(&c->in);
	do {
		uint32_t len;

		while (!stopping(c) && (rc = vmbus_ring_read(&c->in, c->buf, c->ops->max_packet, &len)) == 0) {
			struct vmbus_pkt p;

			c->packets_in++;
			rc = vmbus_pkt_parse(&p, c->buf, len);
			if (rc) {
				fail(c, "malformed packet", rc);
				return;
			}
			rc = c->ops->packet(c, &p);
			if (rc < 0) {
				fail(c, "packet refused", rc);
				return;
			}
		}
		if (stopping(c))
			return;
		if (rc != -EAGAIN) {
			fail(c, rc == -ENOBUFS ? "packet larger than the channel allows" :
				"guest->host ring corrupt", rc);
			return;
		}
		rc = vmbus_ring_commit_read(&c->in);
		if (rc > 0)
			signal_guest(c);
	} while ((rc = vmbus_ring_read_end(&c->in)) > 0);
	if (rc < 0)
		fail(c, "guest->host ring corrupt", rc);
}

static void *channel_thread(void *arg)
{
	struct channel *c = arg;

	if (c->ops->opened)
		c->ops->opened(c);
	commit_writes(c);
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p[2] = { { .fd = c->efd, .events = POLLIN }, { .fd = -1 } };
		int timeout = c->ops->tick_ms ? (int)c->ops->tick_ms : -1;
		uint64_t v;

		if (c->ops->wait_fd && !c->dead)
			p[1] = (struct pollfd){ .fd = c->ops->wait_fd(c), .events = POLLIN };
		if (c->dead)
			timeout = -1;	/* only a stop wakes a dead channel */
		if (poll(p, 2, timeout) > 0 && (p[0].revents & POLLIN) &&
		    read(c->efd, &v, sizeof(v)) == sizeof(v))
			c->signals_in++;
		if (c->dead || __atomic_load_n(&c->stop, __ATOMIC_ACQUIRE))
			continue;
		if (c->ops->tick)
			c->ops->tick(c);
		drain(c);
		if (c->ops->batch_end)
			c->ops->batch_end(c);
		if (!c->dead)
			commit_writes(c);
	}
	if (c->ops->closed)
		c->ops->closed(c);
	return NULL;
}

int channel_start(struct channel *c, void *const *in, unsigned n_in, void *const *out,
		  unsigned n_out)
{
	int rc;

	c->stop = c->dead = false;
	c->buf = malloc(c->ops->max_packet);
	c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!c->buf || c->efd < 0) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = vmbus_ring_init(&c->in, in, n_in);
	if (rc)
		goto fail;
	rc = vmbus_ring_init(&c->out, out, n_out);
	if (rc) {
		vmbus_ring_fini(&c->in);
		goto fail;
	}
	if (pthread_create(&c->thread, NULL, channel_thread, c)) {
		rc = -EAGAIN;
		vmbus_ring_fini(&c->in);
		vmbus_ring_fini(&c->out);
		goto fail;
	}
	return 0;
fail:
	logmsg("channel %s (relid %u): cannot open: %s", c->name, c->relid, strerror(-rc));
	free(c->buf);
	c->buf = NULL;
	if (c->efd >= 0)
		close(c->efd);
	c->efd = -1;
	return rc;
}

void channel_notify(struct channel *c)
{
	uint64_t one = 1;

	if (write(c->efd, &one, sizeof(one)) < 0)
		(void)0;	/* the counter is full: the thread is awake anyway */
}

void channel_stop(struct channel *c)
{
	__atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);
	channel_notify(c);
	pthread_join(c->thread, NULL);
	vmbus_ring_fini(&c->in);
	vmbus_ring_fini(&c->out);
	free(c->buf);
	c->buf = NULL;
	close(c->efd);
	c->efd = -1;
}
