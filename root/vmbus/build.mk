# VMBus server (root/vmbus/): hosted units, tested and fuzzed as the VMWP
# links them.

# Rings and packets: tests/unit/test_vmbus_{ring,packet}.c,
# tests/fuzz/fuzz_vmbus_{ring,packet}.c.
UNIT_HOSTED += vmbus_ring vmbus_packet
UNIT_SRCS_vmbus_ring := root/vmbus/ring.c
UNIT_SRCS_vmbus_packet := root/vmbus/packet.c

# Channel management: the message parser, GPADLs and the server's state
# machine. tests/unit/test_vmbus_{channel_msg,gpadl,server}.c,
# tests/fuzz/fuzz_vmbus_{channel_msg,gpadl,server}.c.
UNIT_HOSTED += vmbus_channel_msg vmbus_gpadl vmbus_server
UNIT_SRCS_vmbus_channel_msg := root/vmbus/channel_msg.c
UNIT_SRCS_vmbus_gpadl := root/vmbus/gpadl.c root/vmbus/channel_msg.c
UNIT_SRCS_vmbus_server := root/vmbus/server.c root/vmbus/gpadl.c root/vmbus/channel_msg.c
