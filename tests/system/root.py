#!/usr/bin/env python3
"""Root-partition system test: septum.elf under QEMU TCG with the test root.

One boot: guests/testroot.c runs as the root partition and builds, runs and
deletes child partitions (guests/child.c) through the root hypercalls. Its
lines (and the child lines it relays) are re-emitted here; then the run
itself is checked. Prints one line per check and closes with
"N passed, N failed".
"""
import re
import sys

import qemu

ROOT = "build/guests/testroot.bin"
CHILD = "build/guests/child.bin"
LINE = re.compile(r"septum: root: (PASS|FAIL) (hv/\S+?):?( .*)?$")
SUMMARY = re.compile(r"septum: root: (\d+) passed, (\d+) failed$")
results = []


def check(name, ok, why=""):
    results.append(ok)
    print(f"PASS hv/{name}" if ok else f"FAIL hv/{name}: {why}", flush=True)


def relay(run):
    """The root's own PASS/FAIL lines; returns how many of each."""
    passed = failed = 0
    for l in run.lines:
        m = LINE.match(l)
        if not m:
            continue
        ok = m.group(1) == "PASS"
        results.append(ok)
        passed += ok
        failed += not ok
        why = f":{m.group(3)}" if m.group(3) and not ok else ""
        print(f"{m.group(1)} {m.group(2)}{why}", flush=True)
    return passed, failed


def main():
    run = qemu.boot(modules=[f"{ROOT} root", CHILD], mem="512M", timeout=120)
    passed, failed = relay(run)
    summary = next((SUMMARY.match(l) for l in run.lines if SUMMARY.match(l)), None)
    ended = ("timed out after 120 s" if run.timed_out
             else f"QEMU exit code {run.rc} after {run.seconds:.1f} s")

    check("root-boot", run.has("root partition: test root 'testroot.bin root'"), run.tail())
    check("root-suite-complete",
          summary is not None and int(summary.group(1)) == passed
          and int(summary.group(2)) == failed and passed > 0,
          f"root summary {summary.group(0) if summary else 'missing'}, "
          f"saw {passed} passed, {failed} failed; {ended}\n" + run.tail())
    check("root-no-panic", not run.panicked(), run.tail())
    errors = [l for l in run.lines if l.startswith("septum: error")]
    check("root-no-hypervisor-errors", not errors, "\n".join(errors[:10]))
    check("root-clean-exit", not run.timed_out and qemu.hv_exit_status(run.rc) == 0,
          ended + "\n" + run.tail())

    p = sum(results)
    print(f"{p} passed, {len(results) - p} failed")
    return 0 if p == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
