"""Runs QEMU TCG with a timeout and captures the serial log (COM1 on stdout)."""
import os
import subprocess
import time

QEMU = "qemu-system-x86_64"
HV_ELF = "build/hypervisor/septum.elf"
EXIT_DEVICE = ["-device", "isa-debug-exit,iobase=0xf4,iosize=4"]


class Run:
    def __init__(self, lines, rc, seconds, timed_out, first_line_s, times=()):
        self.lines = lines
        self.times = list(times)  # seconds from launch when each line was complete
        self.rc = rc
        self.seconds = seconds
        self.timed_out = timed_out
        self.first_line_s = first_line_s

    def has(self, text):
        return any(text in l for l in self.lines)

    def find(self, text):
        return next((l for l in self.lines if text in l), None)

    def time_of(self, text):
        return next((t for l, t in zip(self.lines, self.times) if text in l), None)

    def tail(self, n=15):
        return "\n".join("    " + l for l in self.lines[-n:])

    def panicked(self):
        return self.has("septum: PANIC")


def hv_exit_status(rc):
    """isa-debug-exit: QEMU exits with (status << 1) | 1."""
    return (rc - 1) >> 1 if rc & 1 else None


def boot(append="", modules=(), cpu="max", mem="256M", timeout=60, extra=(), cdrom=None):
    """Boots septum.elf through QEMU's multiboot v1 loader, or the given ISO."""
    # COM1 (the root's console) and COM2 (the hypervisor's log once a root
    # runs) both go to stdout.
    cmd = [QEMU, "-accel", "tcg", "-cpu", cpu, "-m", mem, "-display", "none",
           "-chardev", "stdio,id=con,mux=on", "-serial", "chardev:con", "-serial", "chardev:con",
           "-monitor", "none", "-no-reboot", "-nodefaults"] + EXIT_DEVICE
    if cdrom:
        cmd += ["-cdrom", cdrom]
    else:
        cmd += ["-kernel", HV_ELF, "-append", ("exit=qemu " + append).strip()]
    if modules:
        cmd += ["-initrd", ",".join(m.replace(",", ",,") for m in modules)]
    cmd += list(extra)
    return run_cmd(cmd, timeout)


def run_cmd(cmd, timeout):
    """Runs any QEMU command line, collecting its output line by line."""
    start = time.monotonic()
    first = None
    lines = []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.set_blocking(proc.stdout.fileno(), False)
    buf = b""
    times = []
    timed_out = False
    while True:
        chunk = proc.stdout.read()
        if chunk:
            now = time.monotonic() - start
            if first is None:
                first = now
            buf += chunk
            times += [now] * chunk.count(b"\n")
        if proc.poll() is not None:
            buf += proc.stdout.read() or b""
            break
        if time.monotonic() - start > timeout:
            proc.kill()
            proc.wait()
            timed_out = True
            break
        time.sleep(0.01)
    seconds = time.monotonic() - start
    lines, line_times = [], []
    for raw, t in zip(buf.split(b"\n"), times + [seconds]):
        line = raw.decode("utf-8", "replace").replace("\r", "")
        if line:
            lines.append(line)
            line_times.append(t)
    return Run(lines, proc.returncode, seconds, timed_out, first, line_times)
