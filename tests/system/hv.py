#!/usr/bin/env python3
"""Hypervisor system tests: septum.elf under QEMU TCG with test guests.

One boot runs a hostile partition, a triple-faulting one and the full
hvtest suite in turn; further short boots check the refusals. Prints one
line per check and closes with "N passed, N failed".
"""
import os
import re
import shutil
import subprocess
import sys

import qemu
from suite import Suite

GUEST = "build/guests/hvtest.bin"
s = Suite("hv")
check = s.check


def boot_guests():
    run = qemu.boot(modules=[f"{GUEST} npf", f"{GUEST} triple", GUEST])
    if run.timed_out or run.panicked():
        check("boot", False, ("timed out" if run.timed_out else "panic") + "\n" + run.tail())
        return
    check("boot-banner", run.has("septum: Septum hypervisor"), run.tail())
    check("svm-enabled", run.has("septum: svm: enabled"), run.tail())
    check("npf-terminates-partition",
          run.has("partition 1 (hvtest.bin npf) terminated: nested page fault: write at GPA 80000000"),
          run.tail())
    check("triple-fault-terminates-partition",
          run.has("partition 2 (hvtest.bin triple) terminated: triple fault"), run.tail())

    # The guest's own checks, re-emitted; its closing count must agree.
    s.relay("guest-suite-complete", run, prefix="septum: p3: ")
    check("hlt-ends-partition-cleanly",
          run.has("partition 3 (hvtest.bin) ended: halted with interrupts disabled"), run.tail())
    check("partitions-free-all-pages",
          sum("all its pages returned" in l for l in run.lines) == 3 and not run.has("leaked"),
          run.tail())
    check("clean-exit", qemu.hv_exit_status(run.rc) == 0, f"QEMU exit code {run.rc}")


def boot_refusals():
    run = qemu.boot(cpu="qemu64", timeout=30)
    check("refuses-cpu-without-npt",
          run.has("septum: error: fatal: CPU has AMD-V but no nested paging")
          and qemu.hv_exit_status(run.rc) == 2,
          f"exit code {run.rc}\n" + run.tail())
    run = qemu.boot(append="mem=lots", timeout=30)
    check("refuses-bad-mem-option", run.has("fatal: mem= needs a size")
          and qemu.hv_exit_status(run.rc) == 2, run.tail())
    run = qemu.boot(append="mem=1G", timeout=30)
    check("refuses-mem-larger-than-ram", run.has("cannot reserve 1024 MiB for the hypervisor")
          and qemu.hv_exit_status(run.rc) == 1, run.tail())
    run = qemu.boot(append="guest_mem=2M", modules=[GUEST + " npf"], timeout=30)
    check("small-guest-still-isolated",
          run.has("terminated: nested page fault") and qemu.hv_exit_status(run.rc) == 0, run.tail())


GRUB_CFG = """serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry septum {
	multiboot2 /boot/septum.elf exit=qemu
	module2 /boot/hvtest.bin hvtest.bin
}
"""


def boot_grub():
    """The hardware path: GRUB loads the same image with multiboot2."""
    iso_dir = "build/tests/grub/iso"
    os.makedirs(iso_dir + "/boot/grub", exist_ok=True)
    shutil.copy(qemu.HV_ELF, iso_dir + "/boot/")
    shutil.copy(GUEST, iso_dir + "/boot/")
    with open(iso_dir + "/boot/grub/grub.cfg", "w") as f:
        f.write(GRUB_CFG)
    iso = "build/tests/grub/septum.iso"
    mk = subprocess.run(["grub-mkrescue", "-o", iso, iso_dir], capture_output=True, text=True)
    if mk.returncode:
        check("grub-multiboot2-boot", False, "grub-mkrescue failed: " + mk.stderr[-500:])
        return
    run = qemu.boot(cdrom=iso, timeout=60)
    summary = next((l for l in run.lines if re.search(r"septum: p1: \d+ passed, 0 failed", l)), None)
    check("grub-multiboot2-boot",
          run.has("septum: command line 'exit=qemu', ") and summary is not None
          and qemu.hv_exit_status(run.rc) == 0, run.tail())


def main():
    boot_guests()
    boot_grub()
    boot_refusals()
    return s.finish()


if __name__ == "__main__":
    sys.exit(main())
