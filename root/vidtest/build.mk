# vidtest: the VID's system test program, static, run inside the root
# (image/mkroot.sh installs it as /usr/bin/vidtest; tests/system/vid.py).
# guests/lib and hypervisor/include only for quoted includes: their
# errno.h, time.h &c. must not stand in for libc's.
VIDTEST := $(BUILD)/vidtest/vidtest
VIDTEST_SRCS := $(wildcard root/vidtest/*.c)
VIDTEST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -static -pthread \
	-Iinclude -iquote guests/lib -iquote hypervisor/include -MMD -MP

.PHONY: vidtest
vidtest: $(VIDTEST)

$(VIDTEST): $(VIDTEST_SRCS) root/vidtest/build.mk
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(VIDTEST_CFLAGS) -o $@ $(VIDTEST_SRCS)

.PHONY: vidtest-clean
clean: vidtest-clean
vidtest-clean:
	rm -rf $(BUILD)/vidtest
