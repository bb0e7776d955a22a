# Small static programs the system tests run inside the root partition.
SOCKCMD := $(BUILD)/tests/tools/sockcmd

$(SOCKCMD): tests/tools/sockcmd.c tests/tools/build.mk
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -o $@ $<

IMAGE_ROOT_FILES += 0755:usr/bin/sockcmd=$(SOCKCMD)

IOPERF := $(BUILD)/tests/tools/ioperf

$(IOPERF): tests/tools/ioperf.c tests/tools/build.mk
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -o $@ $<

IMAGE_ROOT_FILES += 0755:usr/bin/ioperf=$(IOPERF)
