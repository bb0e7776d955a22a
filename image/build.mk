# The root partition's initramfs: build/image/root.cpio.gz (busybox, /init,
# the kernel modules the root needs for QEMU's devices, and the VID with its
# test program and test guest).
IMAGE_ROOT := $(BUILD)/image/root.cpio.gz
IMAGE_KMOD := $(BUILD)/image/kmod
IMAGE_CHILD_INITRD := $(BUILD)/image/child.cpio.gz
# busybox-static's, installed by scripts/deps.sh; mkroot.sh refuses a
# dynamically linked one.
IMAGE_BUSYBOX := /bin/busybox

# What scripts/deps.sh makes enters through $(wildcard): on a fresh machine
# it does not exist until $(DEPS_STAMP)'s recipe has run, and make must not
# stop at "no rule to make" before. For the same reason the release is read
# from kernel.mk by the scripts when they run, not included here.
IMAGE_HOST_DEPS := $(DEPS_STAMP) $(wildcard $(BUILD)/deps/kernel.mk)

.PHONY: image
image: $(IMAGE_ROOT)

# depmod over the whole extracted kernel (~2 s), again only when the kernel
# changes; root-modules.txt's closure is taken from it.
$(IMAGE_KMOD)/release: image/kmod-index.sh $(IMAGE_HOST_DEPS)
	@echo "  DEPMOD  $(BUILD)/deps/kernel"
	$(Q)image/kmod-index.sh $(BUILD)/deps/kernel.mk $(BUILD)/deps/kernel $(IMAGE_KMOD)

# What goes into the root besides busybox and modules, as MODE:DEST=SRC
# (image/mkroot.sh); each root/ component's build.mk may add its own.
IMAGE_ROOT_FILES += 0755:usr/bin/vidtest=$(VIDTEST) \
	0644:usr/share/septum/child.bin=$(BUILD)/guests/child.bin \
	0755:usr/bin/septum-vmwp=$(VMWP) \
	0644:usr/share/septum/vmlinuz=$(BUILD)/deps/vmlinuz \
	0644:usr/share/septum/child.cpio.gz=$(IMAGE_CHILD_INITRD)

$(IMAGE_ROOT): image/mkroot.sh image/init image/root-modules.txt image/build.mk \
		$(IMAGE_KMOD)/release $(wildcard $(IMAGE_BUSYBOX)) $(IMAGE_HOST_DEPS) \
		$(VID_KO) $(foreach f,$(IMAGE_ROOT_FILES),$(lastword $(subst =, ,$(f))))
	@echo "  CPIO    $@"
	$(Q)image/mkroot.sh image/init image/root-modules.txt $(IMAGE_BUSYBOX) \
		$(IMAGE_KMOD) $(BUILD)/image/root $@ $(VID_KO) $(IMAGE_ROOT_FILES)

# The Linux child septum-vmwp boots in the test (image/mkchild.sh).
$(IMAGE_CHILD_INITRD): image/mkchild.sh $(wildcard $(IMAGE_BUSYBOX)) $(IMAGE_HOST_DEPS)
	@echo "  CPIO    $@"
	$(Q)image/mkchild.sh $(IMAGE_BUSYBOX) \
		$$(ls $(BUILD)/deps/kernel/lib/modules/*/kernel/drivers/hv/hv_vmbus.ko) \
		$(BUILD)/image/child $@
