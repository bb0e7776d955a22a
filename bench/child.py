#!/usr/bin/env python3
"""A Linux child under septum-vmwp (figures only; never gates CI).

One boot of the hypervisor and the Debian root; in the root, septum-vmwp
boots the test child (2 VPs, 256 MiB, quiet console, no PCI) twice:
  - to its markers and power-off: the boot times (septum-vmwp start to
    each marker, from the root's clock) and the VM exits of the boot by
    reason (the VMWP's "VM exits" line);
  - once more with the child's script sleeping: its exits by reason
    sampled through the VMWP's control socket IDLE_S apart (the idle
    child's exit rates), its interrupts per CPU from its own
    /proc/interrupts, and the VMWP's RSS beyond guest memory.
Then the same kernel and initrd booted by QEMU alone (on two host threads,
and on one), to the same markers: the ratios of the boot times.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "system"))
import qemu  # noqa: E402
from suite import ROOT_KERNEL, root_initrd  # noqa: E402

IDLE_S = 10
# The child's init prints its first line as soon as it runs, and "ready"
# once it has loaded the hv_* drivers: on Septum they find their VMBus
# devices and set them up, under QEMU alone hv_vmbus finds no VMBus and
# gives up. Only the first marker is the same work both ways.
INIT_MARKER = "septum-child: clocksource"
READY_MARKER = "septum-child: ready"
MEM_MIB = 256
CMDLINE = "console=ttyS0 panic=-1 quiet pci=off"
SCRIPT = f"""#!/bin/sh
modprobe septum_vid
K=/usr/share/septum/vmlinuz
I=/usr/share/septum/child.cpio.gz
up() {{ cut -d' ' -f1 /proc/uptime; }}

# The boot: the markers' arrival on the console, by the root's clock.
t0=$(up)
septum-vmwp --kernel $K --initrd $I --mem {MEM_MIB}M --vps 2 \\
	--cmdline "{CMDLINE} septum.action=report" 2>/tmp/boot.err </dev/null |
	while read -r line; do
		case $line in
		*"{INIT_MARKER}"*) echo "bench: init marker at $(up)" ;;
		*"{READY_MARKER}"*) echo "bench: ready marker at $(up)" ;;
		esac
	done
echo "bench: start $t0"
grep "VM exits" /tmp/boot.err | sed 's/^/bench: boot /'

# Idle: a child whose script sleeps; its exits by reason sampled through
# the control socket {IDLE_S} s apart once it has settled, and its
# interrupts per CPU over the whole sleep, from its /proc/interrupts.
mkdir -p /tmp/idle/septum
printf '#!/bin/sh\\ncat /proc/interrupts >/tmp/before\\nsleep %s\\nsed "s/^/idle-irq-before: /" /tmp/before\\nsed "s/^/idle-irq-after: /" /proc/interrupts\\n' \\
	{IDLE_S + 10} >/tmp/idle/septum/script
(cd /tmp/idle && find . | cpio -o -H newc 2>/dev/null | gzip) >/tmp/idle.gz
cat $I /tmp/idle.gz >/tmp/idle-initrd.gz
septum-vmwp --kernel $K --initrd /tmp/idle-initrd.gz --mem {MEM_MIB}M --vps 2 --control /tmp/idle.sock \\
	--cmdline "{CMDLINE} septum.script=/septum/script" >/tmp/idle.out 2>/tmp/idle.err </dev/null &
pid=$!
n=0
while [ $n -lt 300 ] && ! grep -q "septum-child: ready" /tmp/idle.out; do sleep 0.2; n=$((n + 1)); done
sleep 3
echo "bench: idle-a $(up) $(sockcmd /tmp/idle.sock stats)"
echo "bench: rss $(sed -n 's/^VmRSS:[[:space:]]*\\([0-9]*\\) kB/\\1/p' /proc/$pid/status)"
awk '/^[0-9a-f]+-[0-9a-f]+ / {{ m = $6 == "" ? "[anon:" $1 "]" : $6 }} /^Rss:/ && $2 >= 256 {{ print "bench: rss-map", m, $2 }}' /proc/$pid/smaps
sleep {IDLE_S}
echo "bench: idle-b $(up) $(sockcmd /tmp/idle.sock stats)"
wait $pid
grep '^idle-irq' /tmp/idle.out | tr -d '\\r' | sed 's/^/bench: /'
"""


def exits(line):
    """{reason: count} and the total from a VMWP "VM exits" line."""
    m = re.search(r"VM exits: (\d+):(.*)", line or "")
    if not m:
        return 0, {}
    words = m.group(2).split()
    return int(m.group(1)), {words[i]: int(words[i + 1]) for i in range(0, len(words) - 1, 2)}


def idle_sample(line):
    """(root uptime, {reason: count, "total": n}) from a "bench: idle-X" line."""
    m = re.search(r"idle-\w ([\d.]+) (\{.*\})", line or "")
    if not m:
        return None
    try:
        return float(m.group(1)), json.loads(m.group(2))["exits"]
    except (ValueError, KeyError):
        return None


def idle_interrupts(lines):
    """[(name, [per-CPU rate])] of the child's interrupts that moved while
    it slept, busiest first."""
    counts = {}
    for l in lines:
        m = re.match(r"bench: idle-irq-(before|after): +(\S+):((?: +\d+)+)", l)
        if m:
            counts.setdefault(m.group(2), {})[m.group(1)] = [int(x) for x in m.group(3).split()]
    rates = []
    for name, c in counts.items():
        if "before" in c and "after" in c:
            r = [(b - a) / (IDLE_S + 10) for a, b in zip(c["before"], c["after"])]
            if sum(r) >= 0.1:
                rates.append((name, r))
    return sorted(rates, key=lambda nr: -sum(nr[1]))


def main():
    run = qemu.boot(append="tsc=invariant", mem="1G", timeout=400,
                    modules=[ROOT_KERNEL, root_initrd("build/bench/child", SCRIPT)])
    # QEMU alone with the child's 2 vCPUs on 2 host threads (MTTCG, its
    # default), and on one (what the whole Septum machine here gets: the
    # hypervisor's QEMU has one vCPU, so the root and its child share it).
    direct = {}
    for name, accel in (("2 host threads", "tcg"), ("1 host thread", "tcg,thread=single")):
        d = qemu.run_cmd(
            ["qemu-system-x86_64", "-accel", accel, "-cpu", "max", "-m", f"{MEM_MIB}M",
             "-smp", "2", "-display", "none", "-serial", "stdio", "-monitor", "none",
             "-no-reboot", "-nodefaults", "-kernel", "build/deps/vmlinuz",
             "-initrd", "build/image/child.cpio.gz", "-append", CMDLINE + " septum.action=report"],
            timeout=120)
        direct[name] = (d.time_of(INIT_MARKER), d.time_of(READY_MARKER), d)
    start = re.search(r"bench: start ([\d.]+)", run.find("bench: start") or "")
    marks = [re.search(r"bench: \w+ marker at ([\d.]+)", run.find(f"bench: {k} marker") or "")
             for k in ("init", "ready")]
    if not start or not all(marks) or any(None in v[:2] for v in direct.values()):
        print("bench: child boot failed\n" + run.tail() + "\n" +
              "\n".join(v[2].tail() for v in direct.values()))
        return 1
    t_init, t_ready = (float(m.group(1)) - float(start.group(1)) for m in marks)
    print(f"bench/child-boot: {t_init:.2f} s from septum-vmwp start to the child's init "
          f"(\"{INIT_MARKER}\"), {t_ready:.2f} s to \"{READY_MARKER}\" (hv_* drivers bound)")
    for name, (d_init, d_ready, _) in direct.items():
        print(f"bench/child-direct-boot ({name}): {d_init:.2f} s from QEMU start to the child's "
              f"init, {d_ready:.2f} s to ready (hv_vmbus finds no VMBus)")
        print(f"bench/child-boot-ratio ({name}): {t_init / d_init:.2f} to init (goal <= 1.5), "
              f"{t_ready / d_ready:.2f} to ready")
    total, by = exits(run.find("bench: boot"))
    print(f"bench/child-boot-exits: {total} " +
          ", ".join(f"{k} {v}" for k, v in sorted(by.items(), key=lambda kv: -kv[1])))
    idle = [idle_sample(run.find(f"bench: idle-{k} ")) for k in "ab"]
    if all(idle):
        (t0, e0), (t1, e1) = idle
        rate = {k: (e1.get(k, 0) - e0.get(k, 0)) / (t1 - t0) for k in e1}
        print(f"bench/child-idle-exits: {rate.pop('total'):.0f} per second (2 VPs, sampled "
              f"{t1 - t0:.1f} s apart; goal <= 200): " +
              ", ".join(f"{k} {v:.0f}" for k, v in sorted(rate.items(), key=lambda kv: -kv[1])
                        if v >= 0.5))
    irqs = idle_interrupts(run.lines)
    if irqs:
        print(f"bench/child-idle-interrupts: per second over {IDLE_S + 10} s, by CPU: " +
              ", ".join(f"{k} {'/'.join(f'{r:.0f}' for r in v)}" for k, v in irqs))
    rss = re.search(r"bench: rss (\d+)", run.find("bench: rss ") or "")
    maps = [l.split()[2:] for l in run.lines if l.startswith("bench: rss-map ")]
    if maps:
        print("bench/vmwp-rss-mappings: " + ", ".join(f"{m} {int(kb) / 1024:.1f} MiB"
                                                     for m, kb in maps))
    if rss:
        print(f"bench/vmwp-rss: {int(rss.group(1)) / 1024 - MEM_MIB:.1f} MiB beyond the "
              f"{MEM_MIB} MiB of guest memory (VmRSS {int(rss.group(1)) / 1024:.1f} MiB; "
              "goal <= 8)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
