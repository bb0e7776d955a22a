#!/usr/bin/env python3
"""Root boot under Septum vs the same kernel and initrd booted by QEMU alone.

Prints the QEMU-start-to-userspace-marker time of both (RUNS each,
interleaved), their ratio, the root's VM exits over its boot by reason,
and its exits per second while idle. Figures only; never gates CI.
"""
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "system"))
import qemu  # noqa: E402
from suite import ROOT_KERNEL, root_initrd  # noqa: E402

RUNS = int(os.environ.get("RUNS", "3"))
IDLE_S = 5
BUILD = "build/bench"
MARKER = "septum-root: ready"

# Runs as the root's script: exit counts at userspace, again at once (what
# one measurement costs: the processes it starts run CPUID), then after an
# idle stretch. The stats port belongs to the test device; without the
# hypervisor the write goes nowhere.
SCRIPT = f"""#!/bin/sh
stats() {{ printf x | dd of=/dev/port bs=1 seek=$((0xEE)) 2>/dev/null; }}
mkfifo /tmp/idle
exec 3<>/tmp/idle
stats
stats
read -t {IDLE_S} x <&3  # idle without starting a process
stats
poweroff -f
"""


CMDLINE = ROOT_KERNEL.split(" ", 1)[1]


def direct(initrd):
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "1G", "-display", "none",
           "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nodefaults",
           "-kernel", "build/deps/vmlinuz", "-initrd", initrd, "-append", CMDLINE]
    return qemu.run_cmd(cmd, timeout=120)


def septum(initrd):
    return qemu.boot(append="tsc=invariant", mem="1G", timeout=120,
                     modules=[ROOT_KERNEL, initrd])


def exits(line):
    m = re.search(r"exits: root vp 0: (\d+) in all; (.*)", line or "")
    return (int(m.group(1)), m.group(2)) if m else (None, "")


def main():
    initrd = root_initrd(BUILD, SCRIPT)
    hv, bare, boot_exits, idle = [], [], None, None
    for _ in range(RUNS):
        for kind, fn, out in (("septum", septum, hv), ("direct", direct, bare)):
            run = fn(initrd)
            t = run.time_of(MARKER)
            if t is None:
                print(f"bench: {kind} boot never reached the marker\n" + run.tail())
                return 1
            out.append(t)
            if kind == "septum":
                n = [exits(l) for l in run.lines if "exits: root vp 0:" in l]
                if len(n) == 3:
                    boot_exits = n[0]
                    cost = n[1][0] - n[0][0]
                    idle = (n[2][0] - n[1][0] - cost) / IDLE_S

    def fmt(xs):
        return f"median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f})"

    print(f"bench/root-boot-septum: {fmt(hv)} over {RUNS} boots")
    print(f"bench/root-boot-direct: {fmt(bare)} over {RUNS} boots")
    print(f"bench/root-boot-ratio: {statistics.median(hv) / statistics.median(bare):.3f}")
    if boot_exits:
        print(f"bench/root-boot-exits: {boot_exits[0]} ({boot_exits[1]})")
        print(f"bench/root-idle-exits-per-second: {idle:.1f} (measurement's own cost removed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
