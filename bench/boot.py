#!/usr/bin/env python3
"""Boot timings of the hypervisor under QEMU TCG (figures only, never gates CI).

Prints, over RUNS boots of the standard test-partition set: QEMU start to the
first serial line, QEMU start to the last partition done, and the exits the
full hvtest guest took.
"""
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "system"))
import qemu  # noqa: E402

RUNS = int(os.environ.get("RUNS", "5"))
GUEST = "build/guests/hvtest.bin"


def main():
    first, done, exits = [], [], None
    for _ in range(RUNS):
        run = qemu.boot(modules=[f"{GUEST} npf", f"{GUEST} triple", GUEST])
        if qemu.hv_exit_status(run.rc) != 0:
            print("bench: boot failed\n" + run.tail())
            return 1
        first.append(run.first_line_s)
        done.append(run.seconds)
        m = re.search(r"ended: .* \((\d+) exits\)", "\n".join(run.lines))
        exits = m.group(1) if m else "?"

    def fmt(xs):
        return f"median {statistics.median(xs):.3f} s (min {min(xs):.3f}, max {max(xs):.3f})"

    print(f"bench/hv-first-line: {fmt(first)} over {RUNS} boots")
    print(f"bench/hv-tests-done: {fmt(done)} over {RUNS} boots")
    print(f"bench/hvtest-exits: {exits}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
