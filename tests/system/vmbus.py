#!/usr/bin/env python3
"""VMBus and enlightened I/O (root/vmbus/, root/vsp/, the VMWP's VSPs): one
boot of the hypervisor and the Debian root, three children in it.

1. A child with a 160 MiB data disk (LUN 0) and a control socket. Its
   script lists the VMBus devices with their drivers, writes 64 MiB of
   random data behind a marker block and reboots; the VMWP restarts it,
   and the second boot reads the data back (same checksum). Then the root
   shrinks the disk's image under the running child: a read past the new
   end must fail in the guest with an I/O error, not hang. The root reads
   the heartbeat age from the control socket and finally asks the guest to
   shut down through the shutdown service: the VMWP exits 0.
2. A child writes 8 MiB with fsync and says so; the root kills its VMWP
   with SIGKILL at once: the image holds the data. Its second disk is
   read-only: it reads, and writes fail in the guest.
3. The child's own ext4 root disk (root=/dev/sda, Debian's hyperv-daemons
   on it) and a NIC in the root's bridge: hv_kvp_daemon answers the host's
   KVP enumeration, and a key the child puts in its pool is visible to the
   host; the child pings the bridge's address, and 64 MiB go over TCP each
   way (busybox httpd and wget) with matching checksums.
One line per check, closing "N passed, N failed".
"""
import sys

from suite import Suite, run_in_root, shell_checks

BUILD = "build/tests/vmbus"
RAM_MIB = 1536
TIMEOUT_S = 900
s = Suite("vmbus")

SCRIPT = shell_checks("vmbus") + r"""# check NAME WHY COMMAND...: PASS if COMMAND succeeds, else FAIL with WHY.
check() { name=$1 why=$2; shift 2; if "$@"; then pass "$name"; else fail "$name" "$why"; fi; }
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
has() { echo "$1" | grep -q -- "$2"; }
K=/usr/share/septum/vmlinuz
I=/usr/share/septum/child.cpio.gz
modprobe septum_vid || fail modprobe "modprobe septum_vid failed"

# initrd NAME SCRIPTFILE: the child's initrd with /septum/script appended.
initrd() {
	rm -rf /tmp/$1; mkdir -p /tmp/$1/septum
	cp "$2" /tmp/$1/septum/script
	(cd /tmp/$1 && find . | cpio -o -H newc 2>/dev/null | gzip) >/tmp/$1.gz
	cat $I /tmp/$1.gz >/tmp/$1-initrd.gz
}
# wait_for FILE TEXT SECONDS
wait_for() {
	n=0
	while [ $n -lt $(($3 * 5)) ] && ! grep -q "$2" "$1"; do sleep 0.2; n=$((n + 1)); done
	grep -q "$2" "$1"
}

# ---- 1: devices, a guest reboot, shrinking disk, heartbeat, shutdown ----
# The child scripts' head: wait_disk DEV waits (up to 120 s: storvsc scans
# its LUNs in the background, slowly on a loaded machine) for the block
# device DEV, and says so if it never came.
cat >/tmp/wait-disk.sh <<'EOS'
#!/bin/sh
wait_disk() {
	n=0
	while [ ! -b $1 ] && [ $n -lt 600 ]; do sleep 0.2; n=$((n + 1)); done
	[ -b $1 ] || echo "no $1 after 120 s"
}
EOS
cat /tmp/wait-disk.sh - >/tmp/one.sh <<'EOS'
wait_disk /dev/sda
if [ "$(dd if=/dev/sda bs=512 count=1 2>/dev/null | head -c 14)" != "SEPTUM-PHASE-2" ]; then
	for d in /sys/bus/vmbus/devices/*; do
		echo "vmbus-dev $(cat $d/class_id) $(basename "$(readlink $d/driver)")"
	done
	sum=$(dd if=/dev/urandom bs=1M count=64 2>/dev/null | tee /tmp/data | md5sum | cut -c1-32)
	dd if=/tmp/data of=/dev/sda bs=1M seek=1 conv=fsync 2>/dev/null
	rm /tmp/data
	printf 'SEPTUM-PHASE-2' | dd of=/dev/sda bs=512 conv=sync,fsync 2>/dev/null
	echo "data-written $sum"
	sleep 1		# the line reaches the console before the kernel's reboot messages
	reboot -f
	sleep 30
fi
echo "data-read $(dd if=/dev/sda bs=1M skip=1 count=64 2>/dev/null | md5sum | cut -c1-32)"
echo "oor-ready"
sleep 4
if dd if=/dev/sda of=/dev/null bs=1M skip=150 count=8 iflag=direct 2>/tmp/err; then
	echo "oor-read succeeded"
else
	echo "oor-read failed: $(head -1 /tmp/err)"
fi
dmesg | grep -i "error" | tail -3 | sed 's/^/oor-dmesg: /'
echo "idle"
sleep 120
EOS
initrd one /tmp/one.sh
truncate -s 160M /tmp/data.img
septum-vmwp --verbose --kernel $K --initrd /tmp/one-initrd.gz --mem 384M --vps 2 \
	--disk /tmp/data.img --control /tmp/one.ctl \
	--cmdline "console=ttyS0 quiet pci=off septum.script=/septum/script" \
	</dev/null >/tmp/one.out 2>/tmp/one.err &
pid=$!
wait_for /tmp/one.out data-written 240
wait_for /tmp/one.out oor-ready 240
truncate -s 100M /tmp/data.img
wait_for /tmp/one.out "oor-read" 60
wait_for /tmp/one.out idle 60
sleep 3
hb=$(sockcmd /tmp/one.ctl stats)
echo "vmbus: stats: $hb"
sd=$(sockcmd /tmp/one.ctl shutdown)
echo "vmbus: shutdown: $sd"
n=0
while [ $n -lt 300 ] && kill -0 $pid 2>/dev/null; do sleep 0.2; n=$((n + 1)); done
kill -0 $pid 2>/dev/null && kill -KILL $pid
wait $pid; st=$?
sed 's/^/vmbus: one: /' /tmp/one.out | grep -v "^vmbus: one: \[" | head -60
grep -v "port 0x" /tmp/one.err | sed 's/^/vmbus: one: stderr: /'
dev() { grep -q "^vmbus-dev {$1} $2" /tmp/one.out; }
check scsi-bound "no storvsc device bound" dev ba6163d9-04a1-4d29-b605-72e2ffb1dc7f hv_storvsc
check shutdown-bound "shutdown IC not bound" dev 0e0b6031-5213-4934-818b-38d90ced39db hv_utils
check timesync-bound "timesync IC not bound" dev 9527e630-d0ae-497b-adce-e80ab0175caf hv_utils
check heartbeat-bound "heartbeat IC not bound" dev 57164f39-9115-4e78-ab55-382f3bd5422d hv_utils
check kvp-bound "KVP IC not bound" dev a9a0f4e7-5a45-4d96-b827-8a841e8c03e6 hv_utils
w=$(sed -n 's/^data-written \([0-9a-f]\{32\}\).*/\1/p' /tmp/one.out)
r=$(sed -n 's/^data-read \([0-9a-f]\{32\}\).*/\1/p' /tmp/one.out)
check data-survives-guest-reboot "written '$w', read '$r'" same "$w" "$r"
check guest-reboot-restarts "$(grep restarting /tmp/one.err)" grep -q "restarting the child (boot 2)" /tmp/one.err
check read-past-shrunk-disk-fails "$(grep oor-read /tmp/one.out)" grep -q "oor-read failed" /tmp/one.out
age=$(echo "$hb" | sed -n 's/.*"heartbeat_age_s":\([-0-9.]*\).*/\1/p')
check heartbeat-seen "heartbeat age '$age'" awk "BEGIN { exit !($age >= 0 && $age < 5) }"
check shutdown-request-accepted "reply '$sd'" [ "$sd" = '{"ok":true}' ]
check shutdown-powers-off "status $st" [ "$st" = 0 ]

# ---- 2: an fsync'd write survives SIGKILL of the VMWP ----
cat /tmp/wait-disk.sh - >/tmp/two.sh <<'EOS'
wait_disk /dev/sda
wait_disk /dev/sdb
sum=$(dd if=/dev/urandom bs=1M count=8 2>/dev/null | tee /tmp/data | md5sum | cut -c1-32)
dd if=/tmp/data of=/dev/sda bs=1M seek=2 oflag=direct conv=fsync 2>/dev/null && echo "synced $sum"
# The second disk is read-only: it reads, and a write fails.
echo "ro-read $(dd if=/dev/sdb bs=4096 count=1 2>/dev/null | head -c 9)"
if dd if=/dev/zero of=/dev/sdb bs=4096 count=1 oflag=direct 2>/dev/null; then echo "ro-write succeeded"
else echo "ro-write failed"; fi
sleep 120
EOS
initrd two /tmp/two.sh
truncate -s 32M /tmp/two.img /tmp/ro.img
printf 'SEPTUM-RO' | dd of=/tmp/ro.img conv=notrunc 2>/dev/null
septum-vmwp --kernel $K --initrd /tmp/two-initrd.gz --mem 256M --disk /tmp/two.img --disk /tmp/ro.img,ro \
	--cmdline "console=ttyS0 quiet pci=off septum.script=/septum/script" \
	</dev/null >/tmp/two.out 2>/tmp/two.err &
pid=$!
wait_for /tmp/two.out synced 240
wait_for /tmp/two.out "^ro-write" 60
kill -KILL $pid
wait $pid
grep -v "^\[" /tmp/two.out | tail -5 | sed 's/^/vmbus: two: /'
w=$(sed -n 's/^synced //p' /tmp/two.out | tr -d '\r')
r=$(dd if=/tmp/two.img bs=1M skip=2 count=8 2>/dev/null | md5sum | cut -c1-32)
check fsync-survives-sigkill "child wrote '$w', image has '$r'" same "$w" "$r"
check second-disk-read-only-reads "$(grep ro-read /tmp/two.out)" grep -q "^ro-read SEPTUM-RO" /tmp/two.out
check second-disk-read-only-refuses-writes "$(grep ro-write /tmp/two.out)" grep -q "^ro-write failed" /tmp/two.out
check read-only-image-unchanged "$(head -c 9 /tmp/ro.img)" [ "$(head -c 9 /tmp/ro.img)" = SEPTUM-RO ]

# ---- 3: the child's own root disk, KVP, the network ----
cp /usr/share/septum/child-disk.img /tmp/disk.img
# The root's init made the virtual switch: br0, the root at 10.0.2.1.
ip addr show br0 | grep -q "inet 10.0.2.1/24" || fail bridge "no br0 at 10.0.2.1: $(ip addr show br0 2>&1)"
mkdir -p /tmp/www
dd if=/dev/urandom of=/tmp/www/r bs=1M count=64 2>/dev/null
rsum=$(md5sum /tmp/www/r | cut -c1-32)
httpd -p 8080 -h /tmp/www
mkfifo /tmp/three.in
septum-vmwp --name three --kernel $K --initrd $I --mem 384M --disk /tmp/disk.img \
	--nic bridge:br0 --control /tmp/three.ctl \
	--cmdline "console=ttyS0 quiet pci=off root=/dev/sda septum.ip=10.0.2.15/24" \
	</tmp/three.in >/tmp/three.out 2>/tmp/three.err &
pid=$!
exec 3>/tmp/three.in
wait_for /tmp/three.out "septum-disk: ready" 240
sleep 2
# A key in the guest's own pool (hv_kvp_daemon's file: 512-byte key,
# 2048-byte value, NUL-padded).
echo "printf septum-key | dd bs=512 conv=sync 2>/dev/null >/tmp/rec; printf septum-value | dd bs=2048 conv=sync 2>/dev/null >>/tmp/rec; cat /tmp/rec >>/var/lib/hyperv/.kvp_pool_1; echo kvp-key-set" >&3
wait_for /tmp/three.out "^kvp-key-set" 30
echo "ping -c 3 -W 5 10.0.2.1 | sed 's/^/ping: /'" >&3
wait_for /tmp/three.out "ping: .* packet loss" 60
# The console echoes what is typed: wait for output only (anchored, with
# the checksum), never for words of the command itself.
echo "mkdir -p /tmp/www; dd if=/dev/urandom of=/tmp/www/c bs=1M count=64 2>/dev/null; httpd -p 8080 -h /tmp/www; echo child-file \$(md5sum /tmp/www/c | cut -c1-32)" >&3
wait_for /tmp/three.out "^child-file [0-9a-f]\{32\}" 60
t0=$(cut -d' ' -f1 /proc/uptime)
csum=$(wget -q -O - http://10.0.2.15:8080/c | md5sum | cut -c1-32)
t1=$(cut -d' ' -f1 /proc/uptime)
echo "wget -q -O - http://10.0.2.1:8080/r | md5sum | sed 's/^/child-got /'" >&3
wait_for /tmp/three.out "^child-got [0-9a-f]\{32\}" 240
t2=$(cut -d' ' -f1 /proc/uptime)
echo "vmbus: 64 MiB child->root in $(echo $t0 $t1 | awk '{ print $2 - $1 }') s, root->child in $(echo $t1 $t2 | awk '{ print $2 - $1 }') s"
auto=$(sockcmd /tmp/three.ctl "kvp 2")
guest=$(sockcmd /tmp/three.ctl "kvp 1")
echo "vmbus: kvp auto pool: $auto"
echo "vmbus: kvp guest pool: $guest"
echo "vmbus: stats: $(sockcmd /tmp/three.ctl stats)"
echo "poweroff -f" >&3
n=0
while [ $n -lt 300 ] && kill -0 $pid 2>/dev/null; do sleep 0.2; n=$((n + 1)); done
kill -0 $pid 2>/dev/null && kill -KILL $pid
wait $pid; st=$?
exec 3>&-
grep -v "^\[" /tmp/three.out | sed 's/^/vmbus: three: /' | tail -20
check boots-from-scsi-root-disk "$(tail -3 /tmp/three.out)" grep -q "septum-disk: ready" /tmp/three.out
check kvp-daemon-answers "$auto" has "$auto" '"OSName":'
check kvp-guest-key-visible "$guest" has "$guest" '"septum-key":"septum-value"'
check disk-child-powers-off "status $st" [ "$st" = 0 ]
check child-pings-bridge "$(grep 'ping: ' /tmp/three.out | tail -2)" grep -q "ping: 3 packets transmitted, 3 packets received" /tmp/three.out
w=$(sed -n 's/^child-file //p' /tmp/three.out | tr -d '\r')
check tcp-child-to-root "child has '$w', root got '$csum'" same "$w" "$csum"
g=$(sed -n 's/^child-got \([0-9a-f]*\).*/\1/p' /tmp/three.out | tr -d '\r')
check tcp-root-to-child "root has '$rsum', child got '$g'" same "$rsum" "$g"

o=$(dmesg | grep -E 'BUG:|Oops|WARNING:|general protection|Call Trace' | head -5)
check no-root-oops "$o" [ -z "$o" ]
echo "$p passed, $f failed"
"""


def main():
    run_in_root(s, BUILD, SCRIPT, "vmbus:", RAM_MIB, TIMEOUT_S)
    return s.finish()


if __name__ == "__main__":
    sys.exit(main())
