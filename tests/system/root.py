#!/usr/bin/env python3
"""Root-partition system test: septum.elf under QEMU TCG with the test root.

One boot: guests/testroot.c runs as the root partition and builds, runs and
deletes child partitions (guests/child.c) through the root hypercalls. Its
lines (and the child lines it relays) are re-emitted here; then the run
itself is checked. Prints one line per check and closes with
"N passed, N failed".
"""
import sys

import qemu
from suite import Suite

ROOT = "build/guests/testroot.bin"
CHILD = "build/guests/child.bin"
def main():
    s = Suite("hv")
    run = qemu.boot(modules=[f"{ROOT} root", CHILD], mem="512M", timeout=120)
    ended = ("timed out after 120 s" if run.timed_out
             else f"QEMU exit code {run.rc} after {run.seconds:.1f} s")

    s.relay("root-suite-complete", run, prefix="septum: root: ")
    s.check("root-boot", run.has("root partition: test root 'testroot.bin root'"), run.tail())
    s.check("root-no-panic", not run.panicked(), run.tail())
    errors = [l for l in run.lines if l.startswith("septum: error")]
    s.check("root-no-hypervisor-errors", not errors, "\n".join(errors[:10]))
    s.check("root-clean-exit", not run.timed_out and qemu.hv_exit_status(run.rc) == 0,
            ended + "\n" + run.tail())
    return s.finish()


if __name__ == "__main__":
    sys.exit(main())
