#!/usr/bin/env python3
"""A Linux child under septum-vmwp vs the same kernel and initrd booted by
QEMU alone (figures only; never gates CI).

Inside the Debian root, septum-vmwp boots the test child (2 VPs, 256 MiB,
quiet console, no PCI) and the root script prints how long the VMWP ran and
its intercept count; the child's init marker gives its uptime. The direct
boot's time is QEMU start to the same marker.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "system"))
import qemu  # noqa: E402
from suite import ROOT_KERNEL, root_initrd  # noqa: E402

CMDLINE = "console=ttyS0 panic=-1 quiet pci=off"
SCRIPT = f"""#!/bin/sh
modprobe septum_vid
t0=$(cut -d' ' -f1 /proc/uptime)
septum-vmwp --kernel /usr/share/septum/vmlinuz --initrd /usr/share/septum/child.cpio.gz \\
	--mem 256M --vps 2 --cmdline "{CMDLINE}" >/tmp/c.out 2>/tmp/c.err </dev/null
st=$?
t1=$(cut -d' ' -f1 /proc/uptime)
grep -a "septum-child: ready" /tmp/c.out
echo "bench: vmwp status $st ran $(echo "$t0 $t1" | awk '{{ printf "%.2f", $2 - $1 }}') s: $(tail -1 /tmp/c.err)"
"""


def main():
    run = qemu.boot(append="tsc=invariant", mem="1G", timeout=180,
                    modules=[ROOT_KERNEL, root_initrd("build/bench/child", SCRIPT)])
    line = run.find("bench: vmwp status")
    ready = run.find("septum-child: ready")
    direct = qemu.run_cmd(
        ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "256M", "-smp", "2",
         "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nodefaults",
         "-kernel", "build/deps/vmlinuz", "-initrd", "build/image/child.cpio.gz",
         "-append", CMDLINE], timeout=120)
    t_direct = direct.time_of("septum-child: ready")
    if not line or not ready or t_direct is None:
        print("bench: child boot failed\n" + run.tail() + "\n" + direct.tail())
        return 1
    m = re.search(r"ran ([\d.]+) s: .*\(after [\d.]+ s, (\d+) intercepts\)", line)
    up = re.search(r"uptime ([\d.]+) s", ready)
    print(f"bench/child-vmwp-run: {m.group(1)} s from septum-vmwp start to power-off "
          f"(child uptime at its marker {up.group(1)} s; the init sleeps 1 s before power-off)")
    print(f"bench/child-intercepts: {m.group(2)}")
    print(f"bench/child-direct-marker: {t_direct:.2f} s from QEMU start")
    print(f"bench/child-boot-ratio: {(float(m.group(1)) - 1) / t_direct:.2f} "
          "(VMWP start to marker, estimated as run minus the init's 1 s, over direct)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
