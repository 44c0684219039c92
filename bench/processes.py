"""What the benchmark's processes use, read from /proc (Linux): a server's RSS, and CPU time split
between the app server, Chromium, Playwright's driver and this process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def rss_megabytes(pid: int) -> float:
    """The resident set size of process `pid` (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _stats() -> dict[int, tuple[int, float, str]]:
    """Parent, CPU seconds (user + system) and command name of every process now."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, tail = (entry / "stat").read_text().rsplit(")", 1)
        except (OSError, ValueError):
            continue  # it ended meanwhile
        fields = tail.split()
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS, head.split("(", 1)[1])
    return stats


def _tree(stats: dict[int, tuple[int, float, str]], root: int) -> set[int]:
    """`root` and all its descendants."""
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, *_) in stats.items() if ppid == parent and pid not in found]
        found.update(children)
        frontier += children
    return found


def cpu_split(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of the app server, Chromium, Playwright's driver and this process (with the fake Groq)."""
    stats = _stats()
    server = _tree(stats, server_pid)
    others = _tree(stats, os.getpid()) - server - {os.getpid()}
    chromium = {pid for pid in others if stats[pid][2].startswith("chrom")}
    return {"app server": sum(stats[pid][1] for pid in server), "chromium": sum(stats[pid][1] for pid in chromium),
            "playwright driver": sum(stats[pid][1] for pid in others - chromium), "bench": stats[os.getpid()][1]}


@contextmanager
def cpu_used(server_pid: int) -> Iterator[dict[str, float]]:
    """A dict that holds, once the block has ended, the CPU seconds each side used during it."""
    used: dict[str, float] = {}
    before = cpu_split(server_pid)
    yield used
    after = cpu_split(server_pid)
    used.update({side: round(after[side] - before[side], 2) for side in before})
