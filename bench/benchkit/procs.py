"""Process helpers: timed runs with peak RSS, long-running servers, ports.

Every wait here has a deadline; a benchmark that hangs fails with the
command and the tail of its output instead of blocking the suite.
"""
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time


class BenchError(Exception):
    """A benchmark step failed; the message says which and why."""


class Timed:
    """Outcome of run_timed: wall seconds, CPU seconds (user + system, all
    threads), peak RSS (KiB), exit code, output."""

    def __init__(self, secs, cpu, maxrss_kb, rc, out, err):
        self.secs, self.cpu, self.maxrss_kb = secs, cpu, maxrss_kb
        self.rc, self.out, self.err = rc, out, err


def run_timed(cmd, timeout, cwd=None, stdin_path=None, check=True, env=None):
    """Runs cmd to completion; returns Timed. The peak RSS is the child's own
    (ru_maxrss from wait4), so it is exact even for short runs. Output goes
    through temporary files (no pipe can fill up). Raises BenchError on
    timeout, or on a non-zero exit when check is set."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            open(stdin_path or os.devnull) as stdin:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=stdin, stdout=out, stderr=err)
        status, rusage = _wait4(p.pid, t0 + timeout, cmd)
        secs = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        res = Timed(secs, rusage.ru_utime + rusage.ru_stime, rusage.ru_maxrss, p.returncode,
                    out.read(), err.read())
    if check and res.rc != 0:
        raise BenchError("%s exited %d\n%s" % (" ".join(cmd), res.rc, tail(res.err or res.out)))
    return res


def _wait4(pid, deadline, cmd):
    while True:
        wpid, status, rusage = os.wait4(pid, os.WNOHANG)
        if wpid == pid:
            return status, rusage
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.wait4(pid, 0)
            raise BenchError("%s did not finish in time; killed" % " ".join(cmd))
        time.sleep(0.005)


def tail(text, lines=20):
    return "\n".join((text or "").splitlines()[-lines:])


def vm_hwm_kb(pid):
    """Peak resident set (VmHWM, KiB) of a live process, 0 if it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()


def cpu_secs(pid):
    """CPU seconds (user + system, every thread) a live process has used."""
    try:
        f = _stat(pid)
    except OSError:
        return 0.0
    return (int(f[11]) + int(f[12])) / TICK


def tree_cpu_secs(pid):
    """CPU seconds used by a process tree: every live member, plus the
    children the root has already reaped (a server's finished workers)."""
    try:
        f = _stat(pid)
    except OSError:
        return 0.0
    reaped = (int(f[13]) + int(f[14])) / TICK
    return reaped + sum(cpu_secs(p) for p in tree(pid))


def children(pid):
    """Direct child pids of pid (from /proc)."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = _stat(int(name))
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(name))
    return out


def tree(pid):
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children(p))
    return out


class _Sampler:
    """Calls self.sample() every `period` seconds on a thread of its own
    while in a `with` block."""

    def __init__(self, period):
        self.period = period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while True:
            self.sample()
            if self._stop.wait(self.period):
                return

    def sample(self):
        raise NotImplementedError

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


class RssPoller(_Sampler):
    """Samples the largest VmHWM among a process tree every `period` seconds
    while in a `with` block (for servers whose workers come and go)."""

    def __init__(self, root_pid, period=0.05):
        super().__init__(period)
        self.root_pid, self.peak_kb = root_pid, 0

    def sample(self):
        for p in tree(self.root_pid):
            self.peak_kb = max(self.peak_kb, vm_hwm_kb(p))


def rss_split_kb(pid):
    """(RssAnon, RssFile) of a live process in KiB: anonymous memory (heap,
    stacks) and file-backed pages mapped (e.g. memory-mapped tables); (0, 0)
    if it is gone."""
    anon = file_ = 0
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    anon = int(line.split()[1])
                elif line.startswith("RssFile:"):
                    file_ = int(line.split()[1])
    except OSError:
        pass
    return anon, file_


class SplitRssSampler(_Sampler):
    """Samples a process's RssAnon and RssFile every `period` seconds while
    in a `with` block and keeps the peak of each (the kernel keeps no peak
    of either, only of their sum: VmHWM). Each peak is a sample, so a spike
    shorter than the period can be missed."""

    def __init__(self, pid, period=0.02):
        super().__init__(period)
        self.pid, self.anon_kb, self.file_kb = pid, 0, 0

    def sample(self):
        anon, file_ = rss_split_kb(self.pid)
        self.anon_kb, self.file_kb = max(self.anon_kb, anon), max(self.file_kb, file_)


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A long-running child whose stdout and stderr lines are collected."""

    def __init__(self, cmd, cwd=None, env=None):
        self.cmd = cmd
        self.started = time.monotonic()
        self.lines, self.err_lines = [], []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, text=True, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for stream, sink in ((self.proc.stdout, self.lines), (self.proc.stderr, self.err_lines)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()

    def _pump(self, stream, sink):
        for line in stream:
            with self.cond:
                sink.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_line(self, pattern, timeout):
        """First regex match in stdout; raises BenchError after timeout or exit."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        with self.cond:
            while True:
                for line in self.lines:
                    m = rx.search(line)
                    if m:
                        return m
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise BenchError("%s: no line matching %r (exit %s)\n%s" % (
                        " ".join(self.cmd), pattern, self.proc.poll(), tail("\n".join(self.err_lines))))
                self.cond.wait(0.005)

    def hwm_kb(self):
        return vm_hwm_kb(self.proc.pid)

    def stop(self, timeout=30):
        """SIGTERM, then SIGKILL after timeout; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)
