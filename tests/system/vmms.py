#!/usr/bin/env python3
"""VMMS and septumctl in the Debian root against the real septum-vmwp: one
boot. The root's init has started its own septum-vmms; the script first
checks that one (septumctl reaches it, the demo definition loads and its
VM runs and stops), then runs tests/vmms/api-test.sh with a daemon of its
own whose workers boot Linux children: bad definitions, two VMs at once,
graceful stop through the shutdown service, kill -9 of a worker and of
VMMS, an unauthorized user, request floods. One line per check, closing
"N passed, N failed".
"""
import sys

from suite import Suite, run_in_root, shell_checks

BUILD = "build/tests/vmms"
RAM_MIB = 1536
TIMEOUT_S = 900
s = Suite("vmms")

with open("tests/vmms/api-test.sh") as f:
    API_TEST = f.read()

SCRIPT = shell_checks("vmms") + r"""out=$(septumctl list 2>&1); st=$?
echo "vmms: septumctl list: $out"
if [ $st = 0 ]; then pass init-daemon-answers; else fail init-daemon-answers "status $st: $out"; fi
cp /usr/share/septum/child-disk.img /var/lib/septum/demo-disk.img
if out=$(septumctl define /usr/share/septum/demo.json 2>&1); then pass demo-defines
else fail demo-defines "$out"; fi
if out=$(septumctl start demo 2>&1) && septumctl list | grep -q "demo.*running"; then pass demo-starts
else fail demo-starts "$out; $(septumctl list 2>&1); $(tail -5 /run/septum/demo.log)"; fi
n=0
while [ $n -lt 120 ] && ! grep -q "septum-disk: ready" /run/septum/demo.log 2>/dev/null; do
	sleep 1; n=$((n + 1))
done
info=$(septumctl --json info demo 2>&1)
echo "vmms: info demo: $info"
if out=$(septumctl stop demo 2>&1) && septumctl list | grep -q "demo.*off"; then pass demo-graceful-stop
else fail demo-graceful-stop "$out; $(septumctl list 2>&1)"; fi
grep -v "port 0x" /run/septum/demo.log | tail -5 | sed 's/^/vmms: demo: /'
septumctl undefine demo >/dev/null 2>&1

cat >/tmp/api-test.sh <<'EOT'
""" + API_TEST + r"""
EOT
sh /tmp/api-test.sh --kernel /usr/share/septum/vmlinuz --initrd /usr/share/septum/child.cpio.gz \
	--memory 192 --cmdline "console=ttyS0 pci=off" \
	/usr/bin/septum-vmms /usr/bin/septumctl /usr/bin/septum-vmwp >/tmp/api.out 2>&1
st=$?
grep -E "^(PASS|FAIL|SKIP) " /tmp/api.out
grep -vE "^(PASS|FAIL|SKIP) " /tmp/api.out | sed 's/^/vmms: api: /' | tail -20
# A failed run keeps its directory: show the daemon's and workers' logs.
for l in /tmp/vmms-test.*/vmms.log /tmp/vmms-test.*/run/*.log; do
	[ -f "$l" ] && grep -v "port 0x" "$l" | tail -15 | sed "s|^|vmms: $(basename "$l"): |"
done
ap=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' /tmp/api.out)
af=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' /tmp/api.out)
if [ -z "$ap" ]; then fail api-test-complete "status $st, no closing line"; ap=0; af=0; fi
p=$((p + ap)); f=$((f + af))
echo "$p passed, $f failed"
"""


def main():
    run_in_root(s, BUILD, SCRIPT, "vmms:", RAM_MIB, TIMEOUT_S)
    return s.finish()


if __name__ == "__main__":
    sys.exit(main())
