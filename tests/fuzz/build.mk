# libFuzzer targets, one per parser of untrusted input. `make fuzz` runs
# each for FUZZ_SECONDS and prints executions and crashes.
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst %,$(BUILD)/tests/fuzz/fuzz_%,$(FUZZ_TARGETS))

.PHONY: fuzz-build
fuzz-build: $(FUZZ_BINS)

$(BUILD)/tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(UNIT_SRCS_$$*) tests/fuzz/fuzz_input.h \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CLANG   $@"
	$(Q)clang $(FUZZ_CFLAGS) $(call unit_includes,$*) -o $@ $(filter %.c,$^) $(UNIT_LIBS_$*)

fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)
