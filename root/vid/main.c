// SPDX-License-Identifier: GPL-2.0
/*
 * septum_vid: the Virtualization Infrastructure Driver of the Septum root
 * partition. The sole caller of the root hypercalls: /dev/septum creates
 * partitions (partition.c), maps pinned user memory into them (memory.c)
 * and runs their VPs (vp.c). The ABI is include/septum/vid.h.
 *
 * The root is a "guest-mode" Hyper-V root: Linux set up its hypercall page
 * through the hypervisor, and CPUID 0x40000003 EBX grants CreatePartitions
 * and AccessMemoryPool.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <asm/hypervisor.h>
#include <asm/processor.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "hv/cpuid.h"
#include "septum_vid.h"

atomic64_t vid_deposited_pages;
atomic64_t vid_mapped_pages;
atomic_t vid_partitions;
atomic_t vid_vps;
struct vid_counters vid_counters;

int vid_hvpages_alloc(struct vid_hvpages *pg)
{
	unsigned long pages = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);

	if (!pages)
		return -ENOMEM;
	pg->in = (void *)pages;
	pg->out = (void *)(pages + PAGE_SIZE);
	return 0;
}

void vid_hvpages_free(struct vid_hvpages *pg)
{
	free_pages((unsigned long)pg->in, 1);
	pg->in = pg->out = NULL;
}

int vid_errno(u64 result)
{
	switch (vid_status(result)) {
	case HV_STATUS_SUCCESS:
		return 0;
	case HV_STATUS_INVALID_PARAMETER:
	case HV_STATUS_INVALID_REGISTER_VALUE:
	case HV_STATUS_UNKNOWN_PROPERTY:
	case HV_STATUS_INVALID_VP_INDEX:
		return -EINVAL;
	case HV_STATUS_ACCESS_DENIED:
		return -EPERM;
	case HV_STATUS_INSUFFICIENT_MEMORY:
		return -ENOMEM;
	case HV_STATUS_INVALID_PARTITION_STATE:
	case HV_STATUS_INVALID_VP_STATE:
		return -EBADFD;
	case HV_STATUS_INSUFFICIENT_BUFFERS:
		return -EAGAIN;
	case HV_STATUS_INVALID_SYNIC_STATE:
		return -ENXIO;
	case HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE:
		return -ERANGE;
	case HV_STATUS_NO_RESOURCES:
		return -ENOSPC;
	case HV_STATUS_OBJECT_IN_USE:
		return -EBUSY;
	}
	/* The VID's own calls are well formed: anything else is unexpected. */
	pr_warn_ratelimited("hypercall result %#llx\n", result);
	return -EIO;
}

static long read_log(struct septum_vid_log __user *arg)
{
	struct septum_input_read_log *in;
	struct septum_output_read_log *out;
	struct vid_hvpages pg;
	u64 from, reserved;
	long err;

	if (get_user(from, &arg->from) || get_user(reserved, (u32 __user *)&arg->reserved))
		return -EFAULT;
	if (reserved)
		return -EINVAL;
	if (vid_hvpages_alloc(&pg))
		return -ENOMEM;
	in = pg.in;
	out = pg.out;
	in->from = from;
	err = vid_errno(vid_hvcall(SEPTUM_HVCALL_READ_LOG, in, out));
	if (!err && (put_user(out->next, &arg->next) || put_user(out->lost, &arg->lost) ||
		     put_user(out->length, &arg->length) ||
		     copy_to_user(arg->data, out->data, out->length)))
		err = -EFAULT;
	vid_hvpages_free(&pg);
	return err;
}

static long septum_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case SEPTUM_VID_GET_API_VERSION:
		return SEPTUM_VID_API_VERSION;
	case SEPTUM_VID_CREATE_PARTITION:
		return vid_create_partition(argp);
	case SEPTUM_VID_GET_STATS:
		return vid_get_stats(NULL, argp);
	case SEPTUM_VID_READ_LOG:
		return read_log(argp);
	}
	return -ENOTTY;
}

static const struct file_operations septum_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = septum_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice septum_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "septum",
	.fops = &septum_fops,
	.mode = 0600,
};

/* A Microsoft-compatible hypervisor that lets this partition create others. */
static bool root_privileges(void)
{
	u32 ebx, ecx, edx, eax;

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return false;
	cpuid(HV_CPUID_VENDOR_AND_MAX_FUNCTIONS, &eax, &ebx, &ecx, &edx);
	if (ebx != HV_CPUID_SIGNATURE_EBX || ecx != HV_CPUID_SIGNATURE_ECX ||
	    edx != HV_CPUID_SIGNATURE_EDX || eax < HV_CPUID_FEATURES)
		return false;
	ebx = cpuid_ebx(HV_CPUID_FEATURES);
	return (ebx & (HV_CREATE_PARTITIONS | HV_ACCESS_MEMORY_POOL)) ==
	       (HV_CREATE_PARTITIONS | HV_ACCESS_MEMORY_POOL);
}

static int __init septum_vid_init(void)
{
	struct vid_hvpages pg;
	u64 hv_free = 0;
	int err;

	if (!root_privileges()) {
		pr_err("no hypervisor that grants CreatePartitions and AccessMemoryPool\n");
		return -ENODEV;
	}
	if (!vid_hvcall_available()) {
		pr_err("Linux has no hypercall page\n");
		return -ENODEV;
	}
	/* Septum's own property: proves the hypercall path end to end. */
	err = vid_hvpages_alloc(&pg);
	if (err)
		return err;
	err = vid_get_property(&pg, HV_PARTITION_ID_SELF, SEPTUM_PARTITION_PROPERTY_HV_FREE_PAGES,
			       &hv_free);
	vid_hvpages_free(&pg);
	if (err) {
		pr_err("the hypervisor is not Septum (free-pages property: %d)\n", err);
		return -ENODEV;
	}
	err = misc_register(&septum_misc);
	if (err)
		return err;
	pr_info("/dev/septum ready, API %u; hypervisor heap: %llu pages free\n",
		SEPTUM_VID_API_VERSION, hv_free);
	return 0;
}

static void __exit septum_vid_exit(void)
{
	/* Partition and VP fds hold the module: none is left here. */
	misc_deregister(&septum_misc);
}

module_init(septum_vid_init);
module_exit(septum_vid_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Septum VID: /dev/septum, partitions and VPs through root hypercalls");
