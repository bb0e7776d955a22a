#!/usr/bin/env python3
"""septum-vmwp (root/vmwp/) in the Debian root on Septum: one boot.

QEMU boots septum.elf with Debian's kernel and the root initramfs (which
holds the VID, septum-vmwp, a second copy of Debian's kernel and a busybox
child initramfs, image/mkchild.sh); a script in the root loads the VID,
checks that bad arguments give clear errors and status 1, then boots the
Linux child: its console (COM1, the VMWP's stdout) must show the kernel
banner, Hyper-V detection and the child's init marker, and the child must
power off with the VMWP exiting 0. Then the run itself: the hypervisor's
log without errors or panics, QEMU's exit. One line per check, closing
"N passed, N failed".
"""
import sys

from suite import Suite, run_in_root, shell_checks

BUILD = "build/tests/vmwp"
RAM_MIB = 1024
TIMEOUT_S = 240
s = Suite("vmwp")

SCRIPT = shell_checks("vmwp") + r"""K=/usr/share/septum/vmlinuz
I=/usr/share/septum/child.cpio.gz

if out=$(modprobe septum_vid 2>&1); then pass modprobe; else fail modprobe "$out"; fi

# bad NAME WANT ARGS...: status 1 and a message containing WANT.
bad() {
	name=$1 want=$2; shift 2
	out=$(septum-vmwp "$@" </dev/null 2>&1); st=$?
	echo "vmwp: $name: status $st: $out"
	if [ "$st" = 1 ] && echo "$out" | grep -q -- "$want"; then pass "$name"
	else fail "$name" "status $st, output '$out'"; fi
}
bad no-kernel-arg "no kernel given"
bad missing-kernel "No such file" --kernel /nonexistent
bad not-bzimage "not a Linux bzImage" --kernel /bin/busybox
bad mem-zero "out of range" --kernel $K --mem 0
bad mem-too-large "out of range\|more than the root has" --kernel $K --mem 64G
bad mem-garbage "not a size" --kernel $K --mem lots
bad mem-too-small-for-kernel "kernel needs" --kernel $K --mem 40M
bad vps-zero "VP count" --kernel $K --vps 0
bad vps-too-many "VP count" --kernel $K --vps 17
bad missing-initrd "No such file" --kernel $K --initrd /nonexistent

t0=$(cut -d' ' -f1 /proc/uptime)
# The child's console live (prefixed), bounded: SIGTERM after 150 s.
{ timeout 150 septum-vmwp --verbose --kernel $K --initrd $I --mem 256M --vps 2 \
	--cmdline "console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1 rdinit=/init pci=off septum.action=report" \
	</dev/null 2>/tmp/vmwp.err; echo $? >/tmp/vmwp.st; } | tee /tmp/child.out | sed 's/^/child: /'
st=$(cat /tmp/vmwp.st)
t1=$(cut -d' ' -f1 /proc/uptime)
took=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
sed 's/^/vmwp: stderr: /' /tmp/vmwp.err
echo "vmwp: child run exited with status $st after $took s"
seen() { grep -q -- "$1" /tmp/child.out; }
if seen "Linux version"; then pass child-banner; else fail child-banner "no 'Linux version' on the child console"; fi
if seen "Hypervisor detected: Microsoft Hyper-V"; then pass child-hyperv
else fail child-hyperv "no Hyper-V detection line"; fi
if seen "septum-child: ready"; then pass child-init; else fail child-init "the child's init never printed its marker"; fi
cs=$(sed -n 's/^septum-child: clocksource //p' /tmp/child.out | tr -d '\r')
if [ "$cs" = hyperv_clocksource_tsc_page ]; then pass child-tsc-page-clocksource
else fail child-tsc-page-clocksource "clocksource '$cs'"; fi
# Timer interrupts per CPU (x2APIC timer LOC + synthetic timer HVS), read
# twice: both CPUs' counts advanced.
t=$(grep '^septum-child: ticks' /tmp/child.out | tr -d '\r')
sum() { echo "$t" | sed -n "$1p" | awk '{ for (i = 1; i <= NF; i++)
	if ($i == "LOC:" || $i == "HVS:") { a += $(i + 1); b += $(i + 2) } } END { print a + 0, b + 0 }'; }
a=$(sum 1)
b=$(sum 2)
if echo "$a $b" | awk '{ exit !($3 > $1 && $4 > $2) }'; then pass child-timers-both-cpus
else fail child-timers-both-cpus "timer interrupts per CPU before '$a', after '$b'"; fi
# COM1 interrupts through the IOAPIC (pin 4) rather than being polled.
irq=$(sed -n 's/^septum-child: serial irq //p' /tmp/child.out | tr -d '\r')
echo "vmwp: child's COM1 interrupt: $irq"
if echo "$irq" | awk '{ exit !($1 ~ /^[0-9]+:$/ && $2 + $3 > 0 && / (IR-)?IO-APIC +4-edge +ttyS0/) }'
then pass child-com1-interrupts; else fail child-com1-interrupts "'$irq'"; fi
echo "vmwp: hv_vmbus in the child says:"
grep '^septum-child: \(modprobe\|dmesg\)' /tmp/child.out | sed 's/^/vmwp:   /'
if grep -q '^septum-child: dmesg: .*[Vv][Mm][Bb]us' /tmp/child.out; then pass child-hv-vmbus-loads
else fail child-hv-vmbus-loads "no vmbus lines in the child's dmesg"; fi
# The second VP came up through INIT/SIPI in the virtual x2APIC.
if seen "septum-child: ready .*cpus 2"; then pass child-two-cpus
else fail child-two-cpus "$(grep -a 'septum-child: ready' /tmp/child.out)"; fi
if grep -q "powered off" /tmp/vmwp.err; then pass child-poweroff
else fail child-poweroff "$(cat /tmp/vmwp.err | tail -3)"; fi
if [ "$st" = 0 ]; then pass vmwp-exit-0; else fail vmwp-exit-0 "status $st"; fi
# SIGTERM mid-boot: a clean teardown (status 5, the reason on stderr),
# and the VID holds no partition afterwards.
septum-vmwp --kernel $K --initrd $I --mem 128M --cmdline "console=ttyS0 panic=-1" \
	</dev/null >/tmp/term.out 2>/tmp/term.err &
pid=$!
n=0
while [ $n -lt 60 ] && ! grep -q "Linux version" /tmp/term.out; do sleep 0.5; n=$((n + 1)); done
kill -TERM $pid
wait $pid; st=$?
echo "vmwp: SIGTERM run: status $st: $(tail -1 /tmp/term.err)"
if [ "$st" = 5 ] && grep -q "stopped by SIGTERM" /tmp/term.err; then pass sigterm-teardown
else fail sigterm-teardown "status $st, stderr '$(cat /tmp/term.err)'"; fi
if grep -q "Linux version" /tmp/term.out; then pass sigterm-child-was-running
else fail sigterm-child-was-running "no child banner within 30 s"; fi
# A guest reboot restarts the VM in the same VMWP: the child's script
# reboots (appended to its initrd as a second archive), so the second boot
# reboots again; after two restarts, SIGTERM. The console is a pty here:
# its name is logged, and a reader that attaches late still gets output.
mkdir -p /tmp/rb/septum
printf '#!/bin/sh\necho septum-child: rebooting\nsleep 1\nreboot -f\n' >/tmp/rb/septum/script
(cd /tmp/rb && find . | cpio -o -H newc 2>/dev/null | gzip) >/tmp/rb.gz
cat $I /tmp/rb.gz >/tmp/reboot-initrd.gz
septum-vmwp --kernel $K --initrd /tmp/reboot-initrd.gz --mem 128M --console pty \
	--cmdline "console=ttyS0 panic=-1 quiet pci=off septum.script=/septum/script" </dev/null 2>/tmp/rb.err &
pid=$!
n=0
while [ $n -lt 20 ] && ! grep -q "console on /dev/pts/" /tmp/rb.err; do sleep 0.5; n=$((n + 1)); done
pty=$(sed -n 's|.*console on \(/dev/pts/[0-9]*\).*|\1|p' /tmp/rb.err)
if [ -c "$pty" ]; then pass console-pty; else fail console-pty "no pty logged: $(cat /tmp/rb.err)"; fi
[ -c "$pty" ] && { cat "$pty" >/tmp/rb.out 2>/dev/null & }
n=0
while [ $n -lt 240 ] && ! grep -q "restarting the child (boot 3)" /tmp/rb.err; do sleep 0.5; n=$((n + 1)); done
kill -TERM $pid
wait $pid; st=$?
echo "vmwp: reboot run: status $st:"; sed 's/^/vmwp:   /' /tmp/rb.err
if grep -q "restarting the child (boot 3)" /tmp/rb.err && [ "$st" = 5 ]; then pass reboot-restarts-vm
else fail reboot-restarts-vm "status $st, no second restart logged"; fi
if [ "$(grep -c 'septum-child: rebooting' /tmp/rb.out)" -ge 2 ]; then pass console-pty-output
else fail console-pty-output "the pty showed $(grep -c 'septum-child: rebooting' /tmp/rb.out) reboots"; fi
# Two children at once, side by side; then kill -9 of a VMWP mid-boot. The
# VID prints the hypervisor's free heap pages when it loads: reloading it
# afterwards must show the count it started with.
heap() { dmesg | sed -n 's/.*hypervisor heap: \([0-9]*\) pages free.*/\1/p' | tail -1; }
before=$(heap)
for n in 1 2; do
	septum-vmwp --kernel $K --initrd $I --mem 160M --cmdline "console=ttyS0 panic=-1 quiet septum.action=report" \
		</dev/null >/tmp/pair$n.out 2>/tmp/pair$n.err &
	eval pid$n=$!
done
wait $pid1; st1=$?
wait $pid2; st2=$?
echo "vmwp: two children: status $st1 and $st2"
if [ $st1 = 0 ] && [ $st2 = 0 ] && grep -q "septum-child: ready" /tmp/pair1.out &&
	grep -q "septum-child: ready" /tmp/pair2.out; then pass two-children-at-once
else fail two-children-at-once "status $st1/$st2: $(tail -1 /tmp/pair1.err) / $(tail -1 /tmp/pair2.err)"; fi
septum-vmwp --kernel $K --initrd $I --mem 128M --cmdline "console=ttyS0 panic=-1" \
	</dev/null >/tmp/kill.out 2>/dev/null &
pid=$!
n=0
while [ $n -lt 60 ] && ! grep -q "Linux version" /tmp/kill.out; do sleep 0.5; n=$((n + 1)); done
kill -KILL $pid
wait $pid
if grep -q "Linux version" /tmp/kill.out; then pass kill9-child-was-running
else fail kill9-child-was-running "no child banner within 30 s"; fi
if lsmod | grep -q '^septum_vid ' && rmmod septum_vid && modprobe septum_vid &&
	[ -n "$before" ] && [ "$(heap)" = "$before" ]; then pass kill9-frees-everything
else fail kill9-frees-everything "hypervisor heap $before pages free before, $(heap) after"; fi

if lsmod | grep -q '^septum_vid ' && rmmod septum_vid; then pass vid-unloads-after
else fail vid-unloads-after "rmmod septum_vid failed (a partition left behind?)"; fi

o=$(dmesg | grep -E 'BUG:|Oops|WARNING:|general protection|Call Trace' | head -5)
if [ -z "$o" ]; then pass no-kernel-oops; else fail no-kernel-oops "$o"; fi
echo "$p passed, $f failed"
"""


def main():
    run_in_root(s, BUILD, SCRIPT, "vmwp: ", RAM_MIB, TIMEOUT_S)
    return s.finish()


if __name__ == "__main__":
    sys.exit(main())
