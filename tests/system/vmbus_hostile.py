#!/usr/bin/env python3
"""A hostile child against septum-vmwp's VMBus host, one boot.

QEMU boots septum.elf and the Debian root; a script in the root loads the
VID and starts a normal Linux child in the background (the bystander),
then runs guests/vmbus_hostile.c, a bzImage that speaks raw VMBus to its
own VMWP and breaks the protocol at every layer: hypercall inputs, channel
messages, GPADLs, the storvsc ring, storvsp's SRBs. Its PASS/FAIL lines are
relayed as they are. Then: the hostile VMWP powered off (status 0: no crash
signal, no hang, no setup error) and logged the channels it stopped; the
bystander reached its init and powered off; no oops in the root; the VID
unloads (neither VMWP left a partition behind). One line per check, closing
"N passed, N failed".
"""
import sys

from suite import Suite, run_in_root, shell_checks

BUILD = "build/tests/vmbus_hostile"
RAM_MIB = 1024
TIMEOUT_S = 420
s = Suite("vmbus")

SCRIPT = shell_checks("vmbus") + r"""K=/usr/share/septum/vmlinuz
I=/usr/share/septum/child.cpio.gz
H=/usr/share/septum/vmbus-hostile.bzimage
up() { cut -d' ' -f1 /proc/uptime; }
since() { echo "$1 $(up)" | awk '{ printf "%.1f", $2 - $1 }'; }

if out=$(modprobe septum_vid 2>&1); then pass modprobe; else fail modprobe "$out"; fi

# The disk: 1 MiB, its first sector the pattern the guest reads back.
dd if=/dev/zero of=/tmp/d.img bs=1024 count=1024 2>/dev/null
i=0
while [ $i -lt 16 ]; do printf 'SEPTUM hostile LBA 0 pattern ok\n'; i=$((i + 1)); done |
	dd of=/tmp/d.img conv=notrunc 2>/dev/null

t0=$(up)
timeout 300 septum-vmwp --name bystander --kernel $K --initrd $I --mem 256M \
	--cmdline "console=ttyS0 quiet pci=off septum.action=report" \
	</dev/null >/tmp/by.out 2>/tmp/by.err &
by=$!

t1=$(up)
timeout 240 septum-vmwp --name hostile --kernel $H --mem 64M --disk /tmp/d.img \
	--cmdline "vmbus-hostile" </dev/null >/tmp/h.out 2>/tmp/h.err
st=$?
echo "vmbus-hostile: the hostile VMWP exited with status $st after $(since $t1) s"
# Its PASS/FAIL lines are ours; the rest of its console and its log, prefixed.
tr -d '\r' </tmp/h.out | while IFS= read -r l; do
	case "$l" in
	"PASS "*|"FAIL "*) echo "$l" ;;
	*) echo "vmbus-hostile: guest: $l" ;;
	esac
done
sed 's/^/vmbus-hostile: vmwp: /' /tmp/h.err
hp=$(grep -c '^PASS ' /tmp/h.out)
hf=$(grep -c '^FAIL ' /tmp/h.out)
p=$((p + hp)); f=$((f + hf))
sum=$(tr -d '\r' </tmp/h.out | sed -n 's/^\([0-9]* passed, [0-9]* failed\)$/\1/p' | tail -1)
if [ "$sum" = "$hp passed, $hf failed" ] && grep -q '^PASS vmbus/hostile-read-lba0' /tmp/h.out
then pass hostile-guest-complete
else fail hostile-guest-complete "its closing count '$sum', relayed $hp passed, $hf failed"; fi
# 0: it powered off. 124: timeout killed a hang; above 128: a crash signal.
if [ "$st" = 0 ] && grep -q "the child powered off" /tmp/h.err; then pass hostile-vmwp-exit-0
else fail hostile-vmwp-exit-0 "status $st: $(tail -2 /tmp/h.err)"; fi
# Each ring abuse stops the storvsc channel with one line, and every
# stopped channel says why.
n=$(grep -c 'channel storvsp (relid [0-9]*): .*: channel stopped' /tmp/h.err)
if [ "$n" -ge 10 ]; then pass hostile-vmwp-logged-stopped-channels
else fail hostile-vmwp-logged-stopped-channels "$n 'channel stopped' lines, want 10 or more"; fi
if grep -q 'vmbus: malformed channel message' /tmp/h.err; then pass hostile-vmwp-logged-malformed
else fail hostile-vmwp-logged-malformed "no 'malformed channel message' line"; fi

wait $by; bst=$?
echo "vmbus-hostile: the bystander exited with status $bst after $(since $t0) s"
sed 's/^/vmbus-hostile: bystander: /' /tmp/by.err
if grep -q "septum-child: ready" /tmp/by.out; then pass bystander-ready
else fail bystander-ready "no 'septum-child: ready': $(tail -3 /tmp/by.out)"; fi
if [ "$bst" = 0 ]; then pass bystander-exit-0; else fail bystander-exit-0 "status $bst"; fi

if lsmod | grep -q '^septum_vid ' && rmmod septum_vid; then pass vid-unloads-after
else fail vid-unloads-after "rmmod septum_vid failed (a partition left behind?)"; fi
o=$(dmesg | grep -E 'BUG:|Oops|WARNING:|general protection|Call Trace' | head -5)
if [ -z "$o" ]; then pass no-kernel-oops; else fail no-kernel-oops "$o"; fi
echo "$p passed, $f failed"
"""


def main():
    run_in_root(s, BUILD, SCRIPT, "vmbus-hostile: ", RAM_MIB, TIMEOUT_S)
    return s.finish()


if __name__ == "__main__":
    sys.exit(main())
