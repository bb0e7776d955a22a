#!/usr/bin/env python3
"""A Linux child under septum-vmwp (figures only; never gates CI).

One boot of the hypervisor and the Debian root; in the root, septum-vmwp
boots the test child (2 VPs, 256 MiB, quiet console, no PCI) three ways:
  - to its init marker and power-off: the boot time (septum-vmwp start to
    the marker, from the root's clock) and the VM exits of the boot by
    reason (the VMWP's "VM exits" line);
  - twice more with the child's script sleeping IDLE_S apart: the
    difference in exits over the difference in time is the idle child's
    exit rate; during the longer one the VMWP's RSS beyond guest memory.
Then the same kernel and initrd booted by QEMU alone, to the same marker:
the ratio of the two boot times.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "system"))
import qemu  # noqa: E402
from suite import ROOT_KERNEL, root_initrd  # noqa: E402

IDLE_S = 10
MEM_MIB = 256
CMDLINE = "console=ttyS0 panic=-1 quiet pci=off"
SCRIPT = f"""#!/bin/sh
modprobe septum_vid
K=/usr/share/septum/vmlinuz
I=/usr/share/septum/child.cpio.gz
up() {{ cut -d' ' -f1 /proc/uptime; }}

# The boot: the marker's arrival on the console, by the root's clock.
t0=$(up)
septum-vmwp --kernel $K --initrd $I --mem {MEM_MIB}M --vps 2 \\
	--cmdline "{CMDLINE} septum.action=report" 2>/tmp/boot.err </dev/null |
	while read -r line; do
		case $line in *"septum-child: ready"*) echo "bench: marker at $(up)" ;; esac
	done
echo "bench: start $t0"
grep "VM exits" /tmp/boot.err | sed 's/^/bench: boot /'

# Idle: a script that sleeps S seconds, for two values of S.
for s in 1 {IDLE_S + 1}; do
	mkdir -p /tmp/s$s/septum
	printf '#!/bin/sh\\nsleep %s\\n' $s >/tmp/s$s/septum/script
	(cd /tmp/s$s && find . | cpio -o -H newc 2>/dev/null | gzip) >/tmp/s$s.gz
	cat $I /tmp/s$s.gz >/tmp/i$s.gz
	septum-vmwp --kernel $K --initrd /tmp/i$s.gz --mem {MEM_MIB}M --vps 2 \\
		--cmdline "{CMDLINE} septum.script=/septum/script" >/tmp/o$s 2>/tmp/e$s </dev/null &
	pid=$!
	if [ $s -gt 1 ]; then
		n=0
		while [ $n -lt 300 ] && ! grep -q "septum-child: ready" /tmp/o$s; do sleep 0.2; n=$((n + 1)); done
		sleep 3
		echo "bench: rss $(sed -n 's/^VmRSS:[[:space:]]*\\([0-9]*\\) kB/\\1/p' /proc/$pid/status)"
	fi
	wait $pid
	grep "VM exits" /tmp/e$s | sed "s/^/bench: idle$s /"
done
"""


def exits(line):
    """{reason: count} and the total from a VMWP "VM exits" line."""
    m = re.search(r"VM exits: (\d+):(.*)", line or "")
    if not m:
        return 0, {}
    words = m.group(2).split()
    return int(m.group(1)), {words[i]: int(words[i + 1]) for i in range(0, len(words) - 1, 2)}


def main():
    run = qemu.boot(append="tsc=invariant", mem="1G", timeout=400,
                    modules=[ROOT_KERNEL, root_initrd("build/bench/child", SCRIPT)])
    direct = qemu.run_cmd(
        ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", f"{MEM_MIB}M", "-smp", "2",
         "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nodefaults",
         "-kernel", "build/deps/vmlinuz", "-initrd", "build/image/child.cpio.gz",
         "-append", CMDLINE + " septum.action=report"], timeout=120)
    t_direct = direct.time_of("septum-child: ready")
    start = re.search(r"bench: start ([\d.]+)", run.find("bench: start") or "")
    marker = re.search(r"bench: marker at ([\d.]+)", run.find("bench: marker") or "")
    if not start or not marker or t_direct is None:
        print("bench: child boot failed\n" + run.tail() + "\n" + direct.tail())
        return 1
    t_child = float(marker.group(1)) - float(start.group(1))
    total, by = exits(run.find("bench: boot"))
    print(f"bench/child-boot: {t_child:.2f} s from septum-vmwp start to the child's init marker")
    print(f"bench/child-direct-boot: {t_direct:.2f} s from QEMU start to the same marker")
    print(f"bench/child-boot-ratio: {t_child / t_direct:.2f} (goal <= 1.5)")
    print(f"bench/child-boot-exits: {total} " +
          ", ".join(f"{k} {v}" for k, v in sorted(by.items(), key=lambda kv: -kv[1])))
    short, _ = exits(run.find("bench: idle1 "))
    long_, by_long = exits(run.find(f"bench: idle{IDLE_S + 1} "))
    if short and long_:
        print(f"bench/child-idle-exits: {(long_ - short) / IDLE_S:.0f} per second "
              f"(2 VPs; difference of two runs {IDLE_S} s apart; goal <= 200)")
    rss = re.search(r"bench: rss (\d+)", run.find("bench: rss") or "")
    if rss:
        print(f"bench/vmwp-rss: {int(rss.group(1)) / 1024 - MEM_MIB:.1f} MiB beyond the "
              f"{MEM_MIB} MiB of guest memory (VmRSS {int(rss.group(1)) / 1024:.1f} MiB; "
              "goal <= 8)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
