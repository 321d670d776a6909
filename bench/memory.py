"""Peak resident memory of processes, sampled from /proc while a benchmark runs."""

import threading
from pathlib import Path


def children_by_parent() -> dict[int, list[int]]:
    """Children by parent pid, from every /proc/<pid>/stat (field 4 is the parent)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        ppid = int(text.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(stat.parent.name))
    return children


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(pid: int, children: dict[int, list[int]] | None = None) -> list[int]:
    children = children_by_parent() if children is None else children
    todo, seen = [pid], []
    while todo:
        current = todo.pop()
        seen.append(current)
        todo += children.get(current, [])
    return seen


class PeakRss:
    """Samples every `interval` s; `peak_mb[label]` is the largest RSS of one process whose
    command line contains the label's marker, among the descendants of the watched roots."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.roots: dict[int, tuple[str, str, bool]] = {}
        self.peak_mb: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def watch(self, pid: int, label: str, marker: str, children_only: bool = True) -> None:
        self.roots[pid] = (label, marker, children_only)

    def start(self) -> "PeakRss":
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return self.peak_mb

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            children = children_by_parent()
            for root, (label, marker, children_only) in list(self.roots.items()):
                for pid in descendants(root, children):
                    if children_only and pid == root:
                        continue
                    if marker not in _cmdline(pid):
                        continue
                    mb = _rss_kb(pid) / 1024
                    self.peak_mb[label] = max(self.peak_mb.get(label, 0.0), mb)
