#!/usr/bin/env python3
"""VMBus I/O in a child against the same work in the root (figures only;
never gates CI: exits 0 and says why when a figure is missing).

One boot of the hypervisor and the Debian root. In the root, septum-vmwp
(--verbose, a control socket) boots the test child six times, 2 VPs and
512 MiB each, with the same devices every time: a 256 MiB image in the
root's tmpfs as its SCSI disk (storvsp, io_uring) and a NIC in the root's
bridge br0 (netvsp on a TAP). The child's initrd carries ioperf
(tests/tools/ioperf.c) and a script in an appended cpio; bench.work= on
its command line says what it does for WORK_S seconds:
  idle1, idle2  nothing (asleep): the baseline, first and last, twice to
                show how much a boot's exits vary;
  seqwrite      ioperf seqwrite /dev/sda (O_DIRECT, 1 MiB requests);
  seqread       ioperf seqread /dev/sda;
  randread      ioperf randread /dev/sda (4 KiB, a fixed-seed PRNG);
  net           busybox httpd serving NET_MIB, which the root fetches with
                wget (child->root: netvsc, the TAP, br0).
Each run waits on the root at the start and the end of its work (a line on
the VMWP's stdin, the child's console), so that the root reads the control
socket's `stats` (intercepts, disk and NIC counters) just around the work.
At the end of each run the VMWP logs its VM exits by reason and, per
channel, packets and signals in and out.

Then the root's own figures: ioperf on the same backing file (tmpfs: Linux
6.1 has no O_DIRECT there, ioperf falls back to the page cache and says so)
and wget root->root over a veth pair into a second network namespace, or
over loopback when the root cannot make one (the line says which and why).

Per MiB moved (the VMWP's disk or NIC byte counters over the work):
  exits       the run's "VM exits" minus the idle runs' mean (each includes
              a boot: the idle runs' spread is the noise);
  intercepts  the control socket's count over the work alone (the exits
              handed to the VMWP);
  signals     the device's channels' signals out (host->guest) and in,
              minus the idle runs'.
"""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "system"))
import qemu  # noqa: E402
from suite import ROOT_KERNEL, root_initrd  # noqa: E402

BUILD = "build/bench/vmbus"
REPRODUCE = "make hypervisor guests image && python3 bench/vmbus.py"
DISK_MIB = 256
NET_MIB = 64
LO_ROUNDS = 4
WORK_S = 10
IDLES = ("idle1", "idle2")
WORKS = ("idle1", "seqwrite", "seqread", "randread", "net", "idle2")
RAM_MIB = 1536
TIMEOUT_S = 2400
P = "bench-vmbus:"

CHILD_SCRIPT = f"""#!/bin/sh
work=$(sed -n 's/.*bench\\.work=\\([a-z0-9]*\\).*/\\1/p' /proc/cmdline)
n=0
while [ ! -b /dev/sda ] && [ $n -lt 100 ]; do sleep 0.2; n=$((n + 1)); done
[ -b /dev/sda ] || echo "bench-child: error: no /dev/sda"
if [ "$work" = net ]; then
	n=0
	while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do sleep 0.2; n=$((n + 1)); done
	ip link set lo up
	ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up || echo "bench-child: error: eth0"
	mkdir -p /www
	dd if=/dev/zero of=/www/f bs=1M count={NET_MIB} 2>/dev/null
	httpd -p 8080 -h /www || echo "bench-child: error: httpd"
fi
echo "bench-child: start $work"
read -r _
case $work in
idle*) sleep {WORK_S} ;;
seqwrite | seqread | randread) /septum/ioperf $work /dev/sda {DISK_MIB} {WORK_S} ;;
esac
echo "bench-child: done $work"
read -r _
"""

SCRIPT = f"""#!/bin/sh
P="{P}"
K=/usr/share/septum/vmlinuz
I=/usr/share/septum/child.cpio.gz
up() {{ cut -d' ' -f1 /proc/uptime; }}
# since T0: seconds from T0 (an up) to now
since() {{ echo "$1 $(up)" | awk '{{ print $2 - $1 }}'; }}
# wait_for FILE TEXT SECONDS
wait_for() {{
	n=0
	while [ $n -lt $(($3 * 5)) ] && ! grep -q "$2" "$1"; do sleep 0.2; n=$((n + 1)); done
	grep -q "$2" "$1"
}}
modprobe septum_vid || echo "$P note: modprobe septum_vid failed"
command -v ioperf >/dev/null || echo "$P note: no ioperf in the root image"

rm -rf /tmp/ci; mkdir -p /tmp/ci/septum
cp /usr/bin/ioperf /tmp/ci/septum/ioperf
cat >/tmp/ci/septum/script <<'EOS'
{CHILD_SCRIPT}EOS
(cd /tmp/ci && find . | cpio -o -H newc 2>/dev/null | gzip) >/tmp/ci.gz
cat $I /tmp/ci.gz >/tmp/bench-initrd.gz
truncate -s {DISK_MIB}M /tmp/bench.img
# /init may have made br0 (the root at 10.0.2.1) already.
if brctl addbr br0 2>/dev/null; then
	ip addr add 10.0.2.1/24 dev br0
	ip link set br0 up
fi
ip addr show br0 | grep -q "inet 10.0.2.1/" || echo "$P note: br0 is not 10.0.2.1/24"
ip link set lo up

for w in {" ".join(WORKS)}; do
	rm -f /tmp/$w.in; mkfifo /tmp/$w.in
	t0=$(up)
	septum-vmwp --verbose --name bench --kernel $K --initrd /tmp/bench-initrd.gz \\
		--mem 512M --vps 2 --disk /tmp/bench.img --nic bridge:br0 --control /tmp/bench.ctl \\
		--cmdline "console=ttyS0 quiet pci=off septum.script=/septum/script bench.work=$w" \\
		</tmp/$w.in >/tmp/$w.out 2>/tmp/$w.err &
	pid=$!
	exec 3>/tmp/$w.in
	if wait_for /tmp/$w.out "^bench-child: start" 400; then
		echo "$P $w boot $(since $t0)"
		[ $w = net ] && ping -c 2 -W 5 10.0.2.15 >/dev/null
		echo "$P $w stats-before $(sockcmd /tmp/bench.ctl stats)"
		t1=$(up)
		echo go >&3
		if [ $w = net ]; then
			timeout 600 wget -q -O /dev/null http://10.0.2.15:8080/f ||
				echo "$P note: net: wget from the child failed"
			echo "$P $w wget {NET_MIB} MiB in $(since $t1) s"
		fi
		wait_for /tmp/$w.out "^bench-child: done" 600 || echo "$P note: $w: no done line"
		echo "$P $w stats-after $(sockcmd /tmp/bench.ctl stats)"
		echo "$P $w work $(since $t1)"
		echo go >&3
	else
		echo "$P note: $w: the child never started its work"
	fi
	n=0
	while [ $n -lt 600 ] && kill -0 $pid 2>/dev/null; do sleep 0.2; n=$((n + 1)); done
	kill -0 $pid 2>/dev/null && kill -KILL $pid
	wait $pid
	echo "$P $w status $?"
	exec 3>&-
	grep -v "^\\[" /tmp/$w.out | grep "bench-child\\|ioperf\\|error\\|BUG\\|WARN\\|Call Trace" |
		sed "s/^/$P $w out: /"
	sed "s/^/$P $w stderr: /" /tmp/$w.err
done

# The root's own, on the same backing file.
for m in seqwrite seqread randread; do
	ioperf $m /tmp/bench.img {DISK_MIB} {WORK_S} 2>&1 | sed "s/^/$P root /"
done
rm -f /tmp/bench.img

# Root->root: a veth pair into a second network namespace if the root can
# make one, else loopback.
mkdir -p /tmp/www
dd if=/dev/zero of=/tmp/www/f bs=1M count={NET_MIB} 2>/dev/null
via=loopback addr=127.0.0.1 why=
if ! modprobe veth 2>/tmp/veth.err; then
	why="modprobe veth: $(head -1 /tmp/veth.err)"
elif ! ip link add vb0 type veth 2>/tmp/veth.err; then
	why="ip link add type veth: $(head -1 /tmp/veth.err)"
else
	# busybox's ip names no peer: the kernel's vethN, listed as vethN@vb0.
	peer=$(ip link show | sed -n 's/^[0-9]*: \\([^@]*\\)@vb0:.*/\\1/p')
	unshare -n sleep 100000 &
	ns=$!
	sleep 1
	if ip link set "$peer" netns $ns 2>/tmp/veth.err && ip addr add 10.9.0.1/24 dev vb0 &&
		ip link set vb0 up && nsenter -t $ns -n ip addr add 10.9.0.2/24 dev "$peer" &&
		nsenter -t $ns -n ip link set "$peer" up && nsenter -t $ns -n ip link set lo up &&
		nsenter -t $ns -n httpd -p 8081 -h /tmp/www; then
		via=veth-netns addr=10.9.0.2
	else
		why="veth into a namespace: $(head -1 /tmp/veth.err)"
	fi
fi
[ $via = loopback ] && httpd -p 127.0.0.1:8081 -h /tmp/www
ping -c 1 -W 5 $addr >/dev/null
# Fetched LO_ROUNDS times: one fetch is too short for /proc/uptime's clock.
t1=$(up)
for i in $(seq {LO_ROUNDS}); do
	timeout 600 wget -q -O /dev/null http://$addr:8081/f || echo "$P note: root->root wget failed"
done
echo "$P lo wget {LO_ROUNDS * NET_MIB} MiB in $(since $t1) s via $via${{why:+ ($why)}}"
o=$(dmesg | grep -E 'BUG:|Oops|WARNING:|general protection|Call Trace' | head -5)
[ -z "$o" ] || echo "$P note: root dmesg: $o"
"""


def exits(line):
    """The total and {reason: count} of a VMWP "VM exits" line."""
    m = re.search(r"VM exits: (\d+):(.*)", line or "")
    if not m:
        return None, {}
    words = m.group(2).split()
    return int(m.group(1)), {words[i]: int(words[i + 1]) for i in range(0, len(words) - 1, 2)}


class Runs:
    """What the root script said about each child run."""

    def __init__(self, lines):
        self.lines = [l[len(P) + 1:] for l in lines if l.startswith(P + " ")]

    def get(self, work, key):
        pre = f"{work} {key} "
        return next((l[len(pre):] for l in self.lines if l.startswith(pre)), None)

    def all(self, work, key):
        pre = f"{work} {key} "
        return [l[len(pre):] for l in self.lines if l.startswith(pre)]

    def stats(self, work, when):
        try:
            return json.loads(self.get(work, f"stats-{when}") or "")
        except ValueError:
            return None

    def exits(self, work):
        return exits(next((l for l in self.all(work, "stderr:") if "VM exits:" in l), None))

    def signals(self, work, dev):
        """Summed over dev's channels: [packets in, out, signals in, out]."""
        sums = [0, 0, 0, 0]
        found = False
        for l in self.all(work, "stderr:"):
            m = re.search(rf"vmbus: {dev} closed \(relid \d+\): (\d+) packets in, (\d+) out, "
                          r"(\d+) signals in, (\d+) out", l)
            if m:
                found = True
                sums = [a + int(b) for a, b in zip(sums, m.groups())]
        return sums if found else None

    def vid(self, work):
        """The VID's counts: [dispatches, intercepts to user space, guest
        signals it completed itself]."""
        for l in self.all(work, "stderr:"):
            m = re.search(r"VID: (\d+) dispatches, (\d+) intercepts to user space, (\d+) guest "
                          r"signals completed in the VID", l)
            if m:
                return [int(x) for x in m.groups()]
        return None

    def ioperf(self, line_key):
        l = next((l for l in self.lines if l.startswith(line_key) and "ioperf:" in l), None)
        return l[l.index("ioperf:"):] if l else None


def moved(before, after, work):
    """MiB the device moved over the work and the requests it took (SCSI
    commands, or frames both ways), from the VMWP's counters."""
    if not before or not after:
        return None, None
    if work == "net":
        b, a = before.get("net") or {}, after.get("net") or {}
        keys, reqs = ("rx_bytes", "tx_bytes"), ("rx_packets", "tx_packets")
    else:
        b, a = (before.get("disk") or [{}])[0], (after.get("disk") or [{}])[0]
        keys, reqs = ("read_bytes", "write_bytes"), ("reads", "writes")
    if not all(k in a and k in b for k in keys + reqs):
        return None, None
    return sum(a[k] - b[k] for k in keys) / 1048576, sum(a[k] - b[k] for k in reqs)


def rate(line):
    """MiB/s or IOPS from an ioperf line, and whether it was buffered."""
    m = re.search(r"([\d.]+) (MiB/s|IOPS)", line or "")
    return (float(m.group(1)), "(buffered)" in line) if m else (None, False)


def say(name, value):
    print(f"bench/{name}: {value}", flush=True)


def disk_figures(r):
    for work, unit in (("seqwrite", "MiB/s"), ("seqread", "MiB/s"), ("randread", "IOPS")):
        child_line = r.ioperf(f"{work} out:")
        root_line = next((l[len("root "):] for l in r.lines
                          if l.startswith(f"root ioperf: {work}")), None)
        child, _ = rate(child_line)
        root, buffered = rate(root_line)
        if child is None:
            say(f"vmbus-child-{work}", "missing: " + (
                "; ".join(r.all(work, "out:")[-3:]) or "no ioperf line from the child"))
        else:
            say(f"vmbus-child-{work}", f"{child:.{1 if unit == 'MiB/s' else 0}f} {unit} "
                f"({child_line}; O_DIRECT on /dev/sda, a {DISK_MIB} MiB image in the root's tmpfs)")
        if root is None:
            err = next((l for l in r.lines if l.startswith("root ioperf: /")), "no ioperf line")
            say(f"vmbus-root-{work}", f"missing: {err}")
        else:
            say(f"vmbus-root-{work}", f"{root:.{1 if unit == 'MiB/s' else 0}f} {unit} "
                f"({root_line}" +
                ("; tmpfs refuses O_DIRECT on 6.1: the page cache, an upper bound)"
                 if buffered else ")"))
        if child is not None and root:
            say(f"vmbus-{work}-ratio", f"{child / root:.3f} child/root (goal >= 0.9)")


def net_figures(r):
    m = re.match(r"([\d.]+) MiB in ([\d.]+) s", r.get("net", "wget") or "")
    lo = re.match(r"([\d.]+) MiB in ([\d.]+) s via (\S+)(.*)", r.get("lo", "wget") or "")
    child = float(m.group(1)) / float(m.group(2)) if m and float(m.group(2)) > 0 else None
    root = float(lo.group(1)) / float(lo.group(2)) if lo and float(lo.group(2)) > 0 else None
    notes = [l for l in r.lines if l.startswith("note: net") or l.startswith("note: root->")]
    if child is None:
        say("vmbus-tcp-child-to-root", "missing: " + ("; ".join(notes) or "no wget timing"))
    else:
        say("vmbus-tcp-child-to-root", f"{child:.1f} MiB/s ({NET_MIB} MiB, busybox httpd in the "
            f"child, wget -O /dev/null in the root, netvsc -> TAP -> br0, in {m.group(2)} s)")
    if root is None:
        say("vmbus-tcp-root-to-root", "missing: " + ("; ".join(notes) or "no wget timing"))
    else:
        say("vmbus-tcp-root-to-root", f"{root:.1f} MiB/s ({lo.group(1)} MiB over {lo.group(3)}"
            f"{lo.group(4)}, in {lo.group(2)} s)")
    if child is not None and root:
        say("vmbus-tcp-ratio", f"{child / root:.3f} child/root (goal >= 0.8)")


def mean(values):
    """The mean of the values present, and half their spread (the noise)."""
    v = [x for x in values if x is not None]
    return (sum(v) / len(v), (max(v) - min(v)) / 2) if v else (None, None)


def cost_figures(r):
    runs = {w: r.exits(w) for w in WORKS}
    base, noise = mean(runs[w][0] for w in IDLES)
    base_by = {k: mean(runs[w][1].get(k, 0) for w in IDLES if runs[w][0] is not None)[0]
               for w in IDLES for k in runs[w][1]}
    base_vid = [mean((r.vid(w) or [None] * 3)[i] for w in IDLES)[0] for i in range(3)]
    base_sig = {d: [mean((r.signals(w, d) or [None] * 4)[i] for w in IDLES)[0] for i in range(4)]
                for d in ("storvsp", "netvsp")}
    if base is None:
        say("vmbus-idle-exits", "missing: no VM exits line from the idle runs")
    else:
        each = ", ".join(str(runs[w][0]) for w in IDLES)
        say("vmbus-idle-exits", f"{base:.0f} +- {noise:.0f} (runs {each}: "
            f"boot, {WORK_S} s asleep, power-off; the baseline subtracted below)")
    for work in WORKS:
        if work in IDLES:
            continue
        dev = "netvsp" if work == "net" else "storvsp"
        before, after = r.stats(work, "before"), r.stats(work, "after")
        mib, reqs = moved(before, after, work)
        if not mib or not reqs:
            say(f"vmbus-{work}-moved", "missing: no stats around the work "
                f"(before {'ok' if before else 'missing'}, after {'ok' if after else 'missing'})")
            continue
        say(f"vmbus-{work}-moved", f"{mib:.1f} MiB in {reqs} " +
            ("frames" if work == "net" else "SCSI commands") + f" over {r.get(work, 'work')} s "
            "(the VMWP's counters)")
        total, by = runs[work]
        if total is not None and base is not None:
            added = {k: by.get(k, 0) - (base_by.get(k) or 0) for k in set(by) | set(base_by)}
            say(f"vmbus-{work}-exits-per-mib", f"{(total - base) / mib:.1f} "
                f"({(total - base) / reqs:.2f} per request; run {total} minus idle {base:.0f}, "
                "by reason " + " ".join(f"{k} {v:+.0f}" for k, v in
                                        sorted(added.items(), key=lambda kv: -abs(kv[1]))
                                        if abs(v) >= 0.5) + ")")
        else:
            say(f"vmbus-{work}-exits-per-mib", "missing: no VM exits line")
        icpt = after["intercepts"] - before["intercepts"]
        say(f"vmbus-{work}-intercepts-per-mib", f"{icpt / mib:.1f} ({icpt / reqs:.2f} per request; "
            "the exits handed to the VMWP, over the work alone)")
        sig, vid = r.signals(work, dev), r.vid(work)
        if sig and None not in base_sig[dev]:
            out, in_, pk = (sig[i] - base_sig[dev][i] for i in (3, 2, 1))
            say(f"vmbus-{work}-signals-per-mib", f"{out / mib:.1f} host->guest "
                f"({out / reqs:.2f} per request), {in_ / mib:.1f} guest->host "
                f"({in_ / reqs:.2f} per request); {pk / mib:.1f} {dev} packets out per MiB "
                "(its channels' counts, run minus idle)")
        else:
            say(f"vmbus-{work}-signals-per-mib", f"missing: no '{dev} closed' lines")
        if vid and None not in base_vid:
            say(f"vmbus-{work}-vid-per-mib", f"{(vid[2] - base_vid[2]) / mib:.1f} guest signals "
                f"completed in the VID, {(vid[0] - base_vid[0]) / mib:.1f} dispatches "
                "(run minus idle)")


def main():
    print(f"bench/vmbus-reproduce: {REPRODUCE}", flush=True)
    t0 = time.monotonic()
    run = qemu.boot(append="tsc=invariant", mem=f"{RAM_MIB}M", timeout=TIMEOUT_S,
                    modules=[ROOT_KERNEL, root_initrd(BUILD, SCRIPT)])
    with open(f"{BUILD}/log", "w") as f:
        f.write("\n".join(run.lines) + "\n")
    r = Runs(run.lines)
    if not r.lines:
        say("vmbus", f"no figures: the root script said nothing ("
            f"{'timed out' if run.timed_out else f'QEMU exit code {run.rc}'})\n" + run.tail())
        return 0
    disk_figures(r)
    net_figures(r)
    cost_figures(r)
    for work in WORKS:
        s = r.get(work, "status")
        if s != "0":
            say(f"vmbus-{work}-run", f"septum-vmwp exit status {s} (see {BUILD}/log)")
    for note in (l for l in r.lines if l.startswith("note: ")):
        say("vmbus-note", note[len("note: "):])
    say("vmbus-time", f"{time.monotonic() - t0:.0f} s in all (log: {BUILD}/log)")
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 -- figures only: never fail the target
        print(f"bench/vmbus: no figures: {type(e).__name__}: {e}")
    sys.exit(0)
