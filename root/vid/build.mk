# The VID kernel module, built against the pinned Debian headers (their
# path is read from build/deps/kernel.mk when the recipe runs, as image/
# does) in a copy under build/vid/, so the source tree stays clean.
VID_KO := $(BUILD)/vid/septum_vid.ko
VID_SRCS := $(wildcard root/vid/*.c root/vid/*.h) root/vid/Kbuild include/septum/vid.h \
	$(wildcard include/hv/*.h)
VID_HOST_DEPS := $(DEPS_STAMP) $(wildcard $(BUILD)/deps/kernel.mk)

.PHONY: vid
vid: $(VID_KO)

# MAKEFLAGS is emptied: Kbuild has its own Q, V and friends. No BTF: the
# headers package has no vmlinux to take it from (Kbuild would say so).
$(VID_KO): $(VID_SRCS) root/vid/build.mk $(VID_HOST_DEPS)
	@echo "  KBUILD  $@"
	$(Q)hdr=$$(sed -n 's/^KERNEL_HEADERS := //p' $(BUILD)/deps/kernel.mk); \
	[ -d "$$hdr" ] || { echo "root/vid: no kernel headers at '$$hdr'" >&2; exit 1; }; \
	rm -rf $(BUILD)/vid/src && mkdir -p $(BUILD)/vid/src && \
	cp root/vid/Kbuild root/vid/*.c root/vid/*.h $(BUILD)/vid/src/ && \
	MAKEFLAGS= $(MAKE) -s -C "$$hdr" M=$(abspath $(BUILD)/vid/src) \
		SEPTUM_INCLUDE=$(abspath include) CONFIG_DEBUG_INFO_BTF_MODULES= modules && \
	cp $(BUILD)/vid/src/septum_vid.ko $@

.PHONY: vid-clean
clean: vid-clean
vid-clean:
	rm -rf $(BUILD)/vid
