# Integration services (shutdown, timesync, heartbeat, KVP): request
# builders and reply parsers, tested hosted (tests/unit/test_ic.c) and
# fuzzed (tests/fuzz/fuzz_ic.c).
IC_SRCS := root/vsp/ic/icmsg.c root/vsp/ic/shutdown.c root/vsp/ic/timesync.c \
	root/vsp/ic/heartbeat.c root/vsp/ic/kvp.c

UNIT_HOSTED += ic
UNIT_SRCS_ic := $(IC_SRCS)
