#!/usr/bin/env python3
"""The VID (root/vid/) in the Debian root on Septum: one boot.

QEMU boots septum.elf with Debian's kernel and the root initramfs (which
holds the VID, root/vidtest/ and guests/child.c); a script in the root loads
the module, runs vidtest (child partitions through /dev/septum, hostile
ioctls, signals, teardown, a random-ioctl fuzz), unloads the module and
prints its summary. The harness re-emits the PASS/FAIL lines and checks the
run itself: the hypervisor's log without errors or panics, QEMU's exit.
Prints one line per check and closes with "N passed, N failed".
"""
import sys

from suite import Suite, run_in_root, shell_checks

BUILD = "build/tests/vid"
RAM_MIB = 512
TIMEOUT_S = 150
s = Suite("vid")


SCRIPT = shell_checks("vid") + r"""oopses() {
	dmesg | grep -E 'BUG:|Oops|WARNING:|general protection|Call Trace|soft lockup' | head -5
}

if out=$(modprobe septum_vid 2>&1); then pass modprobe
else fail modprobe "$out"; fi
dmesg | grep septum_vid | sed 's/^/vid: dmesg: /'

t0=$(cut -d' ' -f1 /proc/uptime)
{ vidtest; echo $? >/tmp/vidtest.st; } 2>&1 | tee /tmp/vidtest.out
st=$(cat /tmp/vidtest.st)
t1=$(cut -d' ' -f1 /proc/uptime)
took=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
echo "vid: vidtest exited with status $st after $took s"
sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' /tmp/vidtest.out | tail -1)
vp=$(echo "$sum" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
vf=$(echo "$sum" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
np=$(grep -c '^PASS ' /tmp/vidtest.out); nf=$(grep -c '^FAIL ' /tmp/vidtest.out)
if [ -n "$vp" ] && [ "$vp" = "$np" ] && [ "$vf" = "$nf" ]; then pass vidtest-complete
else fail vidtest-complete "summary '$sum', saw $np PASS and $nf FAIL lines (status $st)"; fi
p=$((p + np)); f=$((f + nf))

o=$(oopses)
if [ -z "$o" ]; then pass no-kernel-oops; else fail no-kernel-oops "$o"; fi
if out=$(rmmod septum_vid 2>&1) && [ ! -e /dev/septum ]; then pass rmmod
else fail rmmod "${out:-/dev/septum still there}"; fi
if modprobe septum_vid && [ -c /dev/septum ] && rmmod septum_vid; then pass reload
else fail reload "modprobe, then rmmod again, failed"; fi
dmesg | grep septum_vid | tail -3 | sed 's/^/vid: dmesg: /'

echo "$p passed, $f failed"
"""


def main():
    run_in_root(s, BUILD, SCRIPT, "vid: ", RAM_MIB, TIMEOUT_S)
    return s.finish()


if __name__ == "__main__":
    sys.exit(main())
