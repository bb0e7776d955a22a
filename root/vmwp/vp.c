/*
 * A VP thread: RUN through the VID until the VM ends, handling each
 * intercept the hypervisor hands up (port I/O, CPUID, MSRs the hypervisor
 * leaves to us, the child's VMBus hypercalls, halt, MMIO and unmapped GPAs, triple
 * faults).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hv/hypercall.h"
#include "hv/intercept.h"
#include "hv/status.h"

#include "mmio.h"
#include "vmbus_host.h"
#include "vmwp.h"

static const char *msg_name(uint32_t t)
{
	switch (t) {
	case HVMSG_UNMAPPED_GPA: return "unmapped GPA";
	case HVMSG_GPA_INTERCEPT: return "GPA intercept";
	case HVMSG_INVALID_VP_REGISTER_VALUE: return "invalid VP register value";
	case HVMSG_UNRECOVERABLE_EXCEPTION: return "unrecoverable exception (triple fault)";
	case HVMSG_UNSUPPORTED_FEATURE: return "unsupported feature";
	case HVMSG_HYPERCALL_INTERCEPT: return "hypercall intercept";
	case HVMSG_X64_IO_PORT_INTERCEPT: return "I/O port intercept";
	case HVMSG_X64_MSR_INTERCEPT: return "MSR intercept";
	case HVMSG_X64_CPUID_INTERCEPT: return "CPUID intercept";
	case HVMSG_X64_EXCEPTION_INTERCEPT: return "exception intercept";
	case HVMSG_X64_HALT: return "halt";
	}
	return "unknown message";
}

/* Handles one intercept; false ends this VP's loop. */
static bool intercept(unsigned vpi, const struct hv_message *msg)
{
	const struct hv_x64_intercept_message_header *h = (const void *)msg->payload;
	uint32_t type = msg->header.message_type, len = h->instruction_length_cr8 & 0xF;
	struct hv_register_assoc regs[4];
	long r;

	__atomic_fetch_add(&vm.intercepts, 1, __ATOMIC_RELAXED);
	switch (type) {
	case HVMSG_X64_IO_PORT_INTERCEPT: {
		const struct hv_x64_io_port_intercept_message *m = (const void *)msg->payload;
		unsigned size = m->access_info & HV_X64_IO_PORT_ACCESS_SIZE_MASK;
		uint32_t mask = size >= 4 ? 0xFFFFFFFF : (1U << (size * 8)) - 1;
		bool in = h->intercept_access_type == HV_INTERCEPT_ACCESS_READ;
		uint32_t val;

		if (!len || (m->access_info & (HV_X64_IO_PORT_ACCESS_STRING | HV_X64_IO_PORT_ACCESS_REP))) {
			vm_end(EXIT_UNHANDLED, "VP %u: string or unknown-length port I/O at port 0x%x (access 0x%x, rip 0x%llx)",
			       vpi, m->port_number, m->access_info, (unsigned long long)h->rip);
			return false;
		}
		__atomic_fetch_add(&vm.port_count[m->port_number], 1, __ATOMIC_RELAXED);
		val = port_io(vpi, m->port_number, in, size, (uint32_t)m->rax & mask);
		regs[0] = reg64(HV_X64_REGISTER_RIP, h->rip + len);
		regs[1] = reg64(HV_X64_REGISTER_RAX, (m->rax & ~(uint64_t)mask) | (val & mask));
		r = set_regs(vm.vp[vpi], regs, in ? 2 : 1);
		break;
	}
	case HVMSG_X64_CPUID_INTERCEPT: {
		const struct hv_x64_cpuid_intercept_message *m = (const void *)msg->payload;

		regs[0] = reg64(HV_X64_REGISTER_RIP, h->rip + len);
		regs[1] = reg64(HV_X64_REGISTER_RAX, m->default_result_rax);
		regs[2] = reg64(HV_X64_REGISTER_RCX, m->default_result_rcx);
		regs[3] = reg64(HV_X64_REGISTER_RDX, m->default_result_rdx);
		r = set_regs(vm.vp[vpi], regs, 4);
		if (!r) {
			regs[0] = reg64(HV_X64_REGISTER_RBX, m->default_result_rbx);
			r = set_regs(vm.vp[vpi], regs, 1);
		}
		break;
	}
	case HVMSG_X64_MSR_INTERCEPT: {
		const struct hv_x64_msr_intercept_message *m = (const void *)msg->payload;
		bool rd = h->intercept_access_type == HV_INTERCEPT_ACCESS_READ;

		if (verbose)
			logmsg("VP %u: %s of MSR 0x%x ignored", vpi, rd ? "read" : "write", m->msr_number);
		regs[0] = reg64(HV_X64_REGISTER_RIP, h->rip + len);
		regs[1] = reg64(HV_X64_REGISTER_RAX, 0);
		regs[2] = reg64(HV_X64_REGISTER_RDX, 0);
		r = set_regs(vm.vp[vpi], regs, rd ? 3 : 1);
		break;
	}
	case HVMSG_HYPERCALL_INTERCEPT: {
		/* The child's HvPostMessage / HvSignalEvent: the VMBus server's. */
		const struct hv_x64_hypercall_intercept_message *m = (const void *)msg->payload;

		regs[0] = reg64(HV_X64_REGISTER_RIP, h->rip + len);
		regs[1] = reg64(HV_X64_REGISTER_RAX, vmbus_host_hypercall(vpi, m));
		r = set_regs(vm.vp[vpi], regs, 2);
		break;
	}
	case HVMSG_X64_HALT: {
		/* That VP is done (Linux parks its other CPUs this way before it
		 * powers off); the child has stopped once all of them are. */
		bool all;

		pthread_mutex_lock(&vm.lock);
		all = ++vm.halted_vps == vm.nr_vps;
		pthread_mutex_unlock(&vm.lock);
		if (all)
			vm_end(EXIT_POWEROFF, "every VP halted with interrupts off (VP %u last, at rip "
			       "0x%llx): the child stopped", vpi, (unsigned long long)h->rip);
		else if (verbose)
			logmsg("VP %u halted with interrupts off at rip 0x%llx", vpi,
			       (unsigned long long)h->rip);
		return false;
	}
	case HVMSG_UNMAPPED_GPA:
	case HVMSG_GPA_INTERCEPT: {
		const struct hv_x64_memory_intercept_message *m = (const void *)msg->payload;
		char why[128];

		if (!mmio_access(vpi, m, why, sizeof(why)))
			return true;
		vm_end(EXIT_UNHANDLED, "VP %u: %s access to unmapped GPA 0x%llx at rip 0x%llx: %s",
		       vpi, h->intercept_access_type == HV_INTERCEPT_ACCESS_WRITE ? "write" :
		       h->intercept_access_type == HV_INTERCEPT_ACCESS_EXECUTE ? "execute" : "read",
		       (unsigned long long)m->guest_physical_address, (unsigned long long)h->rip, why);
		return false;
	}
	case HVMSG_UNRECOVERABLE_EXCEPTION:
		vm_end(EXIT_VP_DEAD, "VP %u: triple fault (unrecoverable exception) at rip 0x%llx",
		       vpi, (unsigned long long)h->rip);
		return false;
	default:
		vm_end(EXIT_UNHANDLED, "VP %u: unhandled %s (message 0x%x) at rip 0x%llx", vpi,
		       msg_name(type), type, (unsigned long long)h->rip);
		return false;
	}
	if (r) {
		vm_end(EXIT_UNHANDLED, "VP %u: SET_REGS completing a %s: %s", vpi, msg_name(type),
		       strerror(-r));
		return false;
	}
	return true;
}

void *vp_thread(void *arg)
{
	unsigned vpi = (unsigned)(uintptr_t)arg;
	struct septum_vid_run run;

	while (!ending()) {
		long r;

		memset(&run, 0, sizeof(run));
		r = vid(vm.vp[vpi], SEPTUM_VID_RUN, &run);
		if (r == -EINTR)
			continue;
		if (r) {
			vm_end(r == -EBADFD ? EXIT_VP_DEAD : EXIT_UNHANDLED, "VP %u: RUN: %s", vpi,
			       strerror(-r));
			break;
		}
		if (run.dispatch_event == HV_DISPATCH_EVENT_INTERCEPT &&
		    !intercept(vpi, &run.message))
			break;
	}
	/* A VP that halted for good ends only its thread, not the VM. */
	if (ending())
		kill(getpid(), SIGUSR2);
	return NULL;
}
