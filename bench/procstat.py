"""CPU and memory of process trees, read from /proc (Linux): where a bench's work went.

CPU is user + system time of every live process in a tree plus what its reaped children used,
so a difference of two snapshots is the CPU a tree spent in between. Memory is sampled: the
resident set of a tree, polled by a thread, keeping the peak.
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class ProcInfo:
    ppid: int
    cpu: float  # seconds, its own and its reaped children's
    rss: int  # bytes
    comm: str


def available() -> bool:
    return Path("/proc/stat").exists()


def processes() -> dict[int, ProcInfo]:
    out: dict[int, ProcInfo] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = raw[raw.rfind(")") + 2 :].split()  # after "pid (comm) ": field n of stat(5) is fields[n - 3]
        comm = raw[raw.find("(") + 1 : raw.rfind(")")]
        cpu = sum(int(f) for f in fields[11:15]) / TICK  # utime stime cutime cstime
        out[int(entry)] = ProcInfo(int(fields[1]), cpu, int(fields[21]) * PAGE, comm)
    return out


def _trees(roots: dict[str, int], procs: dict[int, ProcInfo]) -> dict[str, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for pid, info in procs.items():
        children[info.ppid].append(pid)
    out = {}
    for name, root in roots.items():
        pids, todo = [], [root]
        while todo:
            pid = todo.pop()
            if pid in procs:
                pids.append(pid)
            todo += children.get(pid, [])
        out[name] = pids
    return out


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all but idle and iowait) since boot."""
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    return sum(int(v) for i, v in enumerate(cpu) if i not in (3, 4)) / TICK


def cpu_snapshot(roots: dict[str, int], postgres: bool = False) -> dict[str, float]:
    """CPU seconds of each named tree; with `postgres`, the PostgreSQL server's too (all its
    databases: other users of the machine's server count as well); "machine": the whole box."""
    if not available():
        return {}
    procs = processes()
    out = {name: sum(procs[p].cpu for p in pids) for name, pids in _trees(roots, procs).items()}
    if postgres:
        out["postgres"] = sum(i.cpu for i in procs.values() if i.comm in ("postgres", "postmaster"))
    out["machine"] = machine_busy()
    return out


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: after[k] - before.get(k, 0.0) for k in after}


class MemorySampler:
    """Polls the resident set of each named tree every `every` seconds; `peak` holds the highest (MB)."""

    def __init__(self, roots: dict[str, int], every: float = 0.5) -> None:
        self.roots = roots
        self.every = every
        self.peak: dict[str, float] = dict.fromkeys(roots, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def __enter__(self) -> MemorySampler:
        if available():
            self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            procs = processes()
            for name, pids in _trees(self.roots, procs).items():
                mb = sum(procs[p].rss for p in pids) / 1024 / 1024
                self.peak[name] = max(self.peak[name], mb)
            self._stop.wait(self.every)
