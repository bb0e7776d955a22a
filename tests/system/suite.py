"""What every system test shares: one line per check, the lines a guest or
the root reports relayed and counted, the closing "N passed, N failed",
and the root initramfs with a script in it."""
import os
import re
import subprocess

import qemu


class Suite:
    def __init__(self, area):
        self.area = area
        self.results = []

    def check(self, name, ok, why=""):
        self.results.append(bool(ok))
        print(f"PASS {self.area}/{name}" if ok else f"FAIL {self.area}/{name}: {why}",
              flush=True)

    def relay(self, name, run, prefix=""):
        """Re-emits the run's "<prefix>PASS|FAIL area/..." lines as results of
        this suite, then checks, as `name`, that the reporter's own closing
        count agrees with them (a reporter that died early fails)."""
        line = re.compile(re.escape(prefix) + r"(PASS|FAIL) (\S+?/\S+?):?( .*)?$")
        summary = re.compile(re.escape(prefix) + r"(\d+) passed, (\d+) failed$")
        passed = failed = 0
        for l in run.lines:
            m = line.match(l)
            if not m:
                continue
            ok = m.group(1) == "PASS"
            self.results.append(ok)
            passed += ok
            failed += not ok
            why = f":{m.group(3)}" if m.group(3) and not ok else ""
            print(f"{m.group(1)} {m.group(2)}{why}", flush=True)
        m = next((summary.match(l) for l in reversed(run.lines) if summary.match(l)), None)
        self.check(name, m is not None and (int(m.group(1)), int(m.group(2))) == (passed, failed)
                   and passed > 0,
                   f"closing count {m.group(0) if m else 'missing'}, saw {passed} passed, "
                   f"{failed} failed\n" + run.tail())

    def finish(self):
        p = sum(self.results)
        print(f"{p} passed, {len(self.results) - p} failed")
        return 0 if p == len(self.results) else 1


def shell_checks(area):
    """The head of a root script: its shebang and pass NAME / fail NAME WHY,
    which print "PASS area/NAME" or "FAIL area/NAME: WHY" and count into $p
    and $f for the script's closing "$p passed, $f failed"."""
    return (f'#!/bin/sh\np=0; f=0\n'
            f'pass() {{ echo "PASS {area}/$1"; p=$((p + 1)); }}\n'
            f'fail() {{ echo "FAIL {area}/$1: $2"; f=$((f + 1)); }}\n')


def root_initrd(build, script):
    """build/image/root.cpio.gz with `script` appended as /septum/script;
    boot it with septum.script=/septum/script. Returns the initrd's path."""
    os.makedirs(build, exist_ok=True)
    with open(f"{build}/script.sh", "w") as f:
        f.write(script)
    subprocess.run(["scripts/mkscript-initrd.sh", f"{build}/script.sh", f"{build}/script.cpio.gz"],
                   check=True)
    with open(f"{build}/initrd", "wb") as out:
        for part in ("build/image/root.cpio.gz", f"{build}/script.cpio.gz"):
            with open(part, "rb") as f:
                out.write(f.read())
    return f"{build}/initrd"


ROOT_KERNEL = "build/deps/vmlinuz console=ttyS0 panic=-1 quiet septum.script=/septum/script"


def run_in_root(suite, build, script, echo, ram_mib, timeout):
    """Boots the hypervisor and the Debian root with `script` as the root's
    script, keeps the log in build/log, echoes lines starting with `echo`,
    relays the script's PASS/FAIL lines and checks the run itself: the root
    got up, the hypervisor neither panicked nor logged an error, and the
    script ended with status 0 and QEMU cleanly."""
    run = qemu.boot(append="tsc=invariant", mem=f"{ram_mib}M", timeout=timeout,
                    modules=[ROOT_KERNEL, root_initrd(build, script)])
    with open(f"{build}/log", "w") as f:
        f.write("\n".join(run.lines) + "\n")
    for l in run.lines:
        if l.startswith(echo):
            print(l, flush=True)
    suite.relay("script-complete", run)
    ended = (f"timed out after {timeout} s" if run.timed_out
             else f"QEMU exit code {run.rc} after {run.seconds:.1f} s")
    suite.check("root-ready", run.has("septum-root: ready"), ended + "\n" + run.tail())
    suite.check("no-hypervisor-panic", not run.panicked(), run.tail(30))
    errors = [l for l in run.lines if l.startswith("septum: error")]
    suite.check("no-hypervisor-errors", not errors, "\n".join(errors[:10]))
    suite.check("clean-exit", not run.timed_out and qemu.hv_exit_status(run.rc) == 0
                and run.has("septum-root: script exited with status 0"), ended + "\n" + run.tail())
    print(f"{echo}{ended}", flush=True)
    return run
