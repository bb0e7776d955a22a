# The root partition's initramfs: build/image/root.cpio.gz (busybox, /init,
# the kernel modules the root needs for QEMU's devices, and the VID with its
# test program and test guest).
IMAGE_ROOT := $(BUILD)/image/root.cpio.gz
IMAGE_KMOD := $(BUILD)/image/kmod
IMAGE_CHILD_INITRD := $(BUILD)/image/child.cpio.gz
IMAGE_CHILD_DISK := $(BUILD)/image/child-disk.img
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
IMAGE_ROOT_FILES += 0644:usr/share/septum/child-disk.img=$(IMAGE_CHILD_DISK) \
	0644:usr/share/septum/demo.json=image/demo.json

$(IMAGE_ROOT): image/mkroot.sh image/initramfs.sh image/init image/root-modules.txt image/build.mk \
		$(IMAGE_KMOD)/release $(wildcard $(IMAGE_BUSYBOX)) $(IMAGE_HOST_DEPS) \
		$(VID_KO) $(foreach f,$(IMAGE_ROOT_FILES),$(lastword $(subst =, ,$(f))))
	@echo "  CPIO    $@"
	$(Q)image/mkroot.sh image/init image/root-modules.txt $(IMAGE_BUSYBOX) \
		$(IMAGE_KMOD) $(BUILD)/image/root $@ $(VID_KO) $(IMAGE_ROOT_FILES)

# The Linux child septum-vmwp boots: its initramfs (image/mkchild.sh) loads
# the hv_* drivers and ext4 from the kmod index's closure of
# child-modules.txt, and can switch_root to the root disk (image/mkdisk.sh).
$(IMAGE_CHILD_INITRD): image/mkchild.sh image/initramfs.sh image/child-init image/child-modules.txt \
		image/build.mk $(IMAGE_KMOD)/release $(wildcard $(IMAGE_BUSYBOX)) \
		$(IMAGE_HOST_DEPS)
	@echo "  CPIO    $@"
	$(Q)image/mkchild.sh image/child-init image/child-modules.txt $(IMAGE_BUSYBOX) \
		$(IMAGE_KMOD) $(BUILD)/image/child $@

# The disk is carried in the root's RAM: as small as leaves room for tests'
# files. Besides busybox, hyperv-daemons' programs (scripts/deps.sh installs
# the package; mkdisk.sh adds the libraries they need) and the KVP daemon's
# scripts, where the package puts them; components may add their own
# MODE:DEST=SRC to IMAGE_CHILD_DISK_FILES. What deps.sh installs enters
# through $(wildcard), as above.
IMAGE_CHILD_DISK_MIB := 32
IMAGE_HV_DAEMONS := /usr/sbin/hv_kvp_daemon /usr/sbin/hv_vss_daemon /usr/sbin/hv_fcopy_daemon
IMAGE_KVP_SCRIPTS := /usr/libexec/hypervkvpd
IMAGE_CHILD_DISK_FILES += $(foreach p,$(IMAGE_HV_DAEMONS),0755:$(p:/%=%)=$(p))

$(IMAGE_CHILD_DISK): image/mkdisk.sh image/disk-init image/build.mk $(IMAGE_HOST_DEPS) \
		$(wildcard $(IMAGE_BUSYBOX) $(IMAGE_HV_DAEMONS) $(IMAGE_KVP_SCRIPTS)/*) \
		$(filter-out $(IMAGE_HV_DAEMONS), \
			$(foreach f,$(IMAGE_CHILD_DISK_FILES),$(lastword $(subst =, ,$(f)))))
	@echo "  MKE2FS  $@"
	$(Q)image/mkdisk.sh image/disk-init $(IMAGE_BUSYBOX) $(IMAGE_KVP_SCRIPTS) \
		$(IMAGE_CHILD_DISK_MIB) $(BUILD)/image/child-disk $@ $(IMAGE_CHILD_DISK_FILES)
