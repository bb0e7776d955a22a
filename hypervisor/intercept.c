/*
 * Intercept messages: what the root learns about a child VP's exit. The
 * header carries the VP's execution state so the root can complete the
 * access (TLFS "Intercepts"; layouts in include/hv/intercept.h).
 */
#include "arch.h"
#include "guest.h"
#include "intercept.h"
#include "lib.h"
#include "partition.h"
#include "x86.h"

static void header(struct vp *vp, u32 type, u32 payload, u8 access, u8 insn_len,
		   struct hv_message *msg)
{
	struct hv_x64_intercept_message_header *h = (void *)msg->payload;
	struct vp_segment cs;
	u16 state = vp_cpl(vp);

	memset(msg, 0, sizeof(*msg));
	msg->header.message_type = type;
	msg->header.payload_size = payload;
	msg->header.sender = vp->part->id;
	arch->vp_get_seg(vp, VP_SEG_CS, &cs);
	if (arch->vp_get_reg(vp, VP_REG_CR0) & X86_CR0_PE)
		state |= HV_X64_VP_EXECUTION_STATE_CR0_PE;
	if (arch->vp_get_reg(vp, VP_REG_EFER) & EFER_LMA)
		state |= HV_X64_VP_EXECUTION_STATE_EFER_LMA;
	if (arch->vp_get_reg(vp, VP_REG_INTERRUPT_SHADOW))
		state |= HV_X64_VP_EXECUTION_STATE_INTR_SHADOW;
	h->vp_index = vp->index;
	h->instruction_length_cr8 = insn_len & 0xF;
	h->intercept_access_type = access;
	h->execution_state = state;
	h->cs_segment = (struct hv_x64_segment_register){ cs.base, cs.limit, cs.selector,
							  cs.attributes };
	h->rip = arch->vp_get_reg(vp, VP_REG_RIP);
	h->rflags = arch->vp_get_reg(vp, VP_REG_RFLAGS);
}

void intercept_simple(struct vp *vp, u32 type, struct hv_message *msg)
{
	header(vp, type, sizeof(struct hv_x64_intercept_message_header), 0, 0, msg);
}

void intercept_io(struct vp *vp, const struct vp_exit *e, struct hv_message *msg)
{
	struct hv_x64_io_port_intercept_message *m = (void *)msg->payload;
	struct vp_segment ds, es;
	int len = arch->vp_insn_length(vp);

	header(vp, HVMSG_X64_IO_PORT_INTERCEPT, sizeof(*m),
	       e->io.in ? HV_INTERCEPT_ACCESS_READ : HV_INTERCEPT_ACCESS_WRITE, len > 0 ? len : 0,
	       msg);
	arch->vp_get_seg(vp, VP_SEG_DS, &ds);
	arch->vp_get_seg(vp, VP_SEG_ES, &es);
	m->port_number = e->io.port;
	m->access_info = (e->io.size & HV_X64_IO_PORT_ACCESS_SIZE_MASK) |
			 (e->io.string ? HV_X64_IO_PORT_ACCESS_STRING : 0) |
			 (e->io.rep ? HV_X64_IO_PORT_ACCESS_REP : 0);
	m->rax = vp->gprs.rax;
	m->ds_segment = (struct hv_x64_segment_register){ ds.base, ds.limit, ds.selector,
							  ds.attributes };
	m->es_segment = (struct hv_x64_segment_register){ es.base, es.limit, es.selector,
							  es.attributes };
	m->rcx = vp->gprs.rcx;
	m->rsi = vp->gprs.rsi;
	m->rdi = vp->gprs.rdi;
}

void intercept_memory(struct vp *vp, const struct vp_exit *e, struct hv_message *msg)
{
	struct hv_x64_memory_intercept_message *m = (void *)msg->payload;
	u8 access = e->npf.fetch ? HV_INTERCEPT_ACCESS_EXECUTE
				 : e->npf.write ? HV_INTERCEPT_ACCESS_WRITE : HV_INTERCEPT_ACCESS_READ;

	header(vp, HVMSG_UNMAPPED_GPA, sizeof(*m), access, 0, msg);
	m->guest_physical_address = e->npf.gpa;
	/* Without decode assists the root must decode the access itself
	 * (an emulated device's MMIO): hand it the bytes, as the TLFS has it. */
	m->instruction_byte_count = arch->vp_fetch_insn(vp, m->instruction_bytes,
							sizeof(m->instruction_bytes));
}

void intercept_cpuid(struct vp *vp, const u32 def[4], struct hv_message *msg)
{
	struct hv_x64_cpuid_intercept_message *m = (void *)msg->payload;

	header(vp, HVMSG_X64_CPUID_INTERCEPT, sizeof(*m), HV_INTERCEPT_ACCESS_EXECUTE, 2, msg);
	m->rax = vp->gprs.rax;
	m->rcx = vp->gprs.rcx;
	m->rdx = vp->gprs.rdx;
	m->rbx = vp->gprs.rbx;
	m->default_result_rax = def[0];
	m->default_result_rbx = def[1];
	m->default_result_rcx = def[2];
	m->default_result_rdx = def[3];
}

void intercept_hypercall(struct vp *vp, struct hv_message *msg)
{
	struct hv_x64_hypercall_intercept_message *m = (void *)msg->payload;

	header(vp, HVMSG_HYPERCALL_INTERCEPT, sizeof(*m), HV_INTERCEPT_ACCESS_EXECUTE, 3, msg);
	m->rax = vp->gprs.rax;
	m->rbx = vp->gprs.rbx;
	m->rcx = vp->gprs.rcx;
	m->rdx = vp->gprs.rdx;
	m->r8 = vp->gprs.r8;
	m->rsi = vp->gprs.rsi;
	m->rdi = vp->gprs.rdi;
}

void intercept_exception(struct vp *vp, const struct vp_exit *e, struct hv_message *msg)
{
	struct hv_x64_exception_intercept_message *m = (void *)msg->payload;

	header(vp, HVMSG_X64_EXCEPTION_INTERCEPT, sizeof(*m), 0, 0, msg);
	m->exception_vector = e->exception.vector;
	m->exception_info = X86_EXC_HAS_ERROR(e->exception.vector) ? 1 : 0;
	m->error_code = e->exception.error;
}

void intercept_msr(struct vp *vp, bool write, struct hv_message *msg)
{
	struct hv_x64_msr_intercept_message *m = (void *)msg->payload;

	header(vp, HVMSG_X64_MSR_INTERCEPT, sizeof(*m),
	       write ? HV_INTERCEPT_ACCESS_WRITE : HV_INTERCEPT_ACCESS_READ, 2, msg);
	m->msr_number = vp->gprs.rcx;
	m->rdx = vp->gprs.rdx;
	m->rax = vp->gprs.rax;
}
