# septum-vmms: the management daemon (include/septum/vmms.h,
# docs/vmms-api.md), static, installed in the root as /usr/bin/septum-vmms
# beside septumctl (root/septumctl/build.mk). `make vmms` builds both;
# `make vmms-api-test` runs tests/vmms/api-test.sh here against the fake
# worker (tests/vmms/fake-vmwp.c), no QEMU.
VMMS := $(BUILD)/vmms/septum-vmms
VMMS_SRCS := $(wildcard root/vmms/*.c)
VMMS_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -static -Iinclude -MMD -MP
VMMS_FAKE_VMWP := $(BUILD)/tests/vmms/fake-vmwp

.PHONY: vmms vmms-api-test
vmms: $(VMMS) $(SEPTUMCTL)

$(VMMS): $(VMMS_SRCS) $(wildcard root/vmms/*.h) include/septum/vmms.h root/vmms/build.mk \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(VMMS_CFLAGS) -o $@ $(VMMS_SRCS) -ljansson

$(VMMS_FAKE_VMWP): tests/vmms/fake-vmwp.c root/vmms/build.mk
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<

vmms-api-test: $(VMMS) $(SEPTUMCTL) $(VMMS_FAKE_VMWP)
	$(Q)tests/vmms/api-test.sh $(VMMS) $(SEPTUMCTL) $(VMMS_FAKE_VMWP)

# The request parser and the definition loader, hosted: unit tests and
# fuzzers (tests/unit/test_{vmms_rpc,vmdef}.c, tests/fuzz/fuzz_*.c).
UNIT_HOSTED += vmms_rpc vmdef
UNIT_SRCS_vmms_rpc := root/vmms/rpc.c root/vmms/vmdef.c root/vmms/linebuf.c \
	root/vmms/json_line.c
UNIT_LIBS_vmms_rpc := -ljansson
UNIT_SRCS_vmdef := root/vmms/vmdef.c root/vmms/json_line.c
UNIT_LIBS_vmdef := -ljansson

IMAGE_ROOT_FILES += 0755:usr/bin/septum-vmms=$(VMMS) 0755:usr/bin/septumctl=$(SEPTUMCTL)

.PHONY: vmms-clean
clean: vmms-clean
vmms-clean:
	rm -rf $(BUILD)/vmms $(BUILD)/tests/vmms
