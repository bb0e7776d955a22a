# QEMU-driven system tests.
.PHONY: system-tests
system-tests: $(HV_ELF) $(GUEST_BINS) $(IMAGE_ROOT) | $(DEPS_STAMP)
	$(Q)python3 tests/system/hv.py
	$(Q)python3 tests/system/root.py
	$(Q)python3 tests/system/linux.py
