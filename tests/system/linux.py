#!/usr/bin/env python3
"""The Debian root partition on Septum: one boot, many checks.

QEMU (two CPUs) boots septum.elf with Debian's kernel and the root
initramfs; a script in the root checks what Linux sees (Hyper-V, a stable
TSC clock, its RAM, one CPU, a passthrough disk, the NIC, the hypervisor's
memory kept out of reach) and powers off through ACPI. The harness checks the hypervisor's side from
its log (COM2). Prints one line per check and "N passed, N failed".
"""
import hashlib
import os
import random
import sys

import qemu
from suite import Suite, ROOT_KERNEL, root_initrd, shell_checks

BUILD = "build/tests/linux"
RAM_MIB = 1024
HV_MIB = 64
s = Suite("root")
check = s.check


SCRIPT = shell_checks("root") + r"""
if dmesg | grep -q "Hypervisor detected: Microsoft Hyper-V"; then pass hyperv-detected
else fail hyperv-detected "no 'Hypervisor detected: Microsoft Hyper-V' in dmesg"; fi

cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
case "$cs" in tsc*) pass clocksource-tsc ;; *) fail clocksource-tsc "clocksource is $cs" ;; esac
if dmesg | grep -qi "tsc.*unstable"; then fail tsc-stable "$(dmesg | grep -i 'tsc.*unstable' | head -1)"
else pass tsc-stable; fi

total=$(dmesg | sed -n 's/.*Memory: [0-9]*K\/\([0-9]*\)K available.*/\1/p' | head -1)
if [ -n "$total" ] && [ "$total" -gt @MEM_LO@ ] && [ "$total" -le @MEM_HI@ ]; then pass ram-minus-hypervisor
else fail ram-minus-hypervisor "kernel manages ${total:-?} KiB, expected (@MEM_LO@, @MEM_HI@]"; fi

n=$(grep -c ^processor /proc/cpuinfo)
if [ "$n" = 1 ]; then pass one-cpu-online; else fail one-cpu-online "$n CPUs online"; fi

mt=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
if [ "$mt" -gt @MT_LO@ ] && [ "$mt" -le @MEM_HI@ ]; then pass meminfo-total
else fail meminfo-total "MemTotal $mt kB, expected (@MT_LO@, @MEM_HI@]"; fi

sum=$(dd if=/dev/vda bs=1M count=1 2>/dev/null | md5sum | cut -d' ' -f1)
if [ "$sum" = "@DISK_MD5@" ]; then pass passthrough-disk
else fail passthrough-disk "first MiB of /dev/vda has md5 $sum"; fi

ip link set eth0 up 2>/dev/null
sleep 1
state=$(cat /sys/class/net/eth0/operstate 2>/dev/null)
if [ "$state" = up ]; then pass nic-up; else fail nic-up "eth0 operstate '${state:-none}'"; fi

hex=$(dd if=/dev/mem bs=4096 skip=512 count=1 2>/dev/null | od -v -An -tx1 | tr -d ' \n')
if [ ${#hex} -eq 8192 ] && [ -z "$(echo "$hex" | tr -d f)" ]; then pass hv-memory-reads-ones
else fail hv-memory-reads-ones "read ${#hex} hex digits: $(echo "$hex" | cut -c1-32)"; fi
printf 'SEPTUM' | dd of=/dev/mem bs=1 seek=$((0x200000)) conv=notrunc 2>/dev/null
# The write went to a scratch page: the root reads back its own bytes, never
# the hypervisor's image (whose first bytes are the multiboot magic).
hex=$(dd if=/dev/mem bs=16 skip=$((0x200000 / 16)) count=1 2>/dev/null | od -v -An -tx1 | tr -d ' \n')
if [ "$hex" = 53455054554d00000000000000000000 ]; then pass hv-memory-write-absorbed
else fail hv-memory-write-absorbed "read back '$hex'"; fi

echo "$p passed, $f failed"
poweroff -f
"""


def main():
    os.makedirs(BUILD, exist_ok=True)
    rng = random.Random(20261125)
    disk = bytes(rng.getrandbits(8) for _ in range(1 << 20)) + bytes(1 << 20)
    with open(f"{BUILD}/disk.img", "wb") as f:
        f.write(disk)
    script = (SCRIPT.replace("@DISK_MD5@", hashlib.md5(disk[:1 << 20]).hexdigest())
              .replace("@MEM_LO@", str((RAM_MIB - HV_MIB - 4) * 1024))
              .replace("@MEM_HI@", str((RAM_MIB - HV_MIB) * 1024))
              # MemTotal also leaves out the kernel's own image and tables.
              .replace("@MT_LO@", str((RAM_MIB - HV_MIB - 96) * 1024)))
    run = qemu.boot(
        append=f"tsc=invariant mem={HV_MIB}M", mem=f"{RAM_MIB}M", timeout=180,
        modules=[ROOT_KERNEL, root_initrd(BUILD, script)],
        extra=["-smp", "2", "-drive", f"file={BUILD}/disk.img,format=raw,if=none,id=d0",
               "-device", "virtio-blk-pci,drive=d0",
               "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0"])
    if run.timed_out or run.panicked():
        check("boot", False, ("timed out" if run.timed_out else "hypervisor panic") + "\n" + run.tail(30))
    check("linux-loaded", run.has("root partition: Linux (boot protocol 2."), run.tail())
    check("hypercall-page-through-hypervisor", run.has("septum: root: hypercall page at GPA"),
          run.tail())
    check("log-moves-to-com2", run.has("septum: log continued from COM1"), run.tail())
    check("other-cpu-parked", run.has("smp: 1 other CPUs parked")
          and run.has("smp: 1 CPUs hidden from the root"), run.tail())
    check("hv-memory-access-logged",
          run.has("root read GPA 200000") and run.has("root wrote GPA 200000"), run.tail())

    s.relay("script-complete", run)
    check("acpi-poweroff", run.rc == 0 and run.has("reboot: Power down"),
          f"QEMU exit code {run.rc}\n" + run.tail())
    check("no-hypervisor-errors", not any("septum: error" in l for l in run.lines), run.tail())
    return s.finish()


if __name__ == "__main__":
    sys.exit(main())
