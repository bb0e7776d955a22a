/* Intercept messages the hypervisor sends the root about a child VP
 * (TLFS; Linux hvhdk.h), as payloads of struct hv_message. */
#ifndef HV_INTERCEPT_H
#define HV_INTERCEPT_H

#include "hv/message.h"
#include "hv/types.h"

#define HV_INTERCEPT_ACCESS_READ	0
#define HV_INTERCEPT_ACCESS_WRITE	1
#define HV_INTERCEPT_ACCESS_EXECUTE	2

/* execution_state bits */
#define HV_X64_VP_EXECUTION_STATE_CPL_MASK	0x0003
#define HV_X64_VP_EXECUTION_STATE_CR0_PE	0x0004
#define HV_X64_VP_EXECUTION_STATE_EFER_LMA	0x0010
#define HV_X64_VP_EXECUTION_STATE_INTR_SHADOW	0x1000

struct hv_x64_intercept_message_header {
	u32 vp_index;
	u8 instruction_length_cr8;	/* length 3:0, CR8 7:4 */
	u8 intercept_access_type;
	u16 execution_state;
	struct hv_x64_segment_register cs_segment;
	u64 rip;
	u64 rflags;
};
HV_ASSERT_SIZE(hv_x64_intercept_message_header, 40);

/* HVMSG_X64_IO_PORT_INTERCEPT. access_info: size 2:0 (1, 2, 4), string 3, rep 4. */
#define HV_X64_IO_PORT_ACCESS_SIZE_MASK	0x07
#define HV_X64_IO_PORT_ACCESS_STRING	0x08
#define HV_X64_IO_PORT_ACCESS_REP	0x10

struct hv_x64_io_port_intercept_message {
	struct hv_x64_intercept_message_header header;
	u16 port_number;
	u8 access_info;
	u8 instruction_byte_count;
	u32 reserved;
	u64 rax;
	u8 instruction_bytes[16];
	struct hv_x64_segment_register ds_segment;
	struct hv_x64_segment_register es_segment;
	u64 rcx;
	u64 rsi;
	u64 rdi;
};
HV_ASSERT_OFFSET(hv_x64_io_port_intercept_message, rax, 48);
HV_ASSERT_OFFSET(hv_x64_io_port_intercept_message, ds_segment, 72);
HV_ASSERT_OFFSET(hv_x64_io_port_intercept_message, rcx, 104);
HV_ASSERT_SIZE(hv_x64_io_port_intercept_message, 128);

/* HVMSG_X64_MSR_INTERCEPT */
struct hv_x64_msr_intercept_message {
	struct hv_x64_intercept_message_header header;
	u32 msr_number;
	u32 reserved;
	u64 rdx;
	u64 rax;
};
HV_ASSERT_SIZE(hv_x64_msr_intercept_message, 64);

/* HVMSG_X64_CPUID_INTERCEPT */
struct hv_x64_cpuid_intercept_message {
	struct hv_x64_intercept_message_header header;
	u64 rax, rcx, rdx, rbx;
	u64 default_result_rax, default_result_rcx, default_result_rdx, default_result_rbx;
};
HV_ASSERT_SIZE(hv_x64_cpuid_intercept_message, 104);

/* HVMSG_UNMAPPED_GPA and HVMSG_GPA_INTERCEPT */
struct hv_x64_memory_intercept_message {
	struct hv_x64_intercept_message_header header;
	u32 cache_type;
	u8 instruction_byte_count;
	u8 memory_access_info;
	u8 tpr_priority;
	u8 reserved1;
	u64 guest_virtual_address;
	u64 guest_physical_address;
	u8 instruction_bytes[16];
};
HV_ASSERT_OFFSET(hv_x64_memory_intercept_message, guest_physical_address, 56);
HV_ASSERT_SIZE(hv_x64_memory_intercept_message, 80);

/* HVMSG_X64_EXCEPTION_INTERCEPT (abridged: registers follow in the TLFS). */
struct hv_x64_exception_intercept_message {
	struct hv_x64_intercept_message_header header;
	u16 exception_vector;
	u8 exception_info;	/* bit 0 error code valid */
	u8 instruction_byte_count;
	u32 error_code;
	u64 exception_parameter;
};
HV_ASSERT_SIZE(hv_x64_exception_intercept_message, 56);

/* HVMSG_HYPERCALL_INTERCEPT: a guest hypercall the hypervisor does not
 * serve; the root completes it (RAX result, RIP past the call). */
struct hv_x64_hypercall_intercept_message {
	struct hv_x64_intercept_message_header header;
	u64 rax, rbx, rcx, rdx, r8, rsi, rdi;
};
HV_ASSERT_OFFSET(hv_x64_hypercall_intercept_message, rax, 40);
HV_ASSERT_SIZE(hv_x64_hypercall_intercept_message, 96);

/* HVMSG_X64_HALT and HVMSG_UNRECOVERABLE_EXCEPTION carry only the header. */

_Static_assert(sizeof(struct hv_x64_io_port_intercept_message) <= HV_MESSAGE_SIZE - 16, "fits");

#endif
