"""The share of the machine's CPU time its hypervisor took for others (steal) during a run.

On the virtual machines these benchmarks run on, steal moved between 0 and a third of the
CPU time from one minute to the next (vmstat's `st`), which moves absolute rates and, less,
the ratios measured side by side; a run prints it so its figures can be judged."""

from pathlib import Path


def cpu_times() -> list[int]:
    """The machine's CPU time counters (`/proc/stat`'s `cpu` line, in clock ticks)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    return [int(x) for x in fields]


def steal_percent(before: list[int], after: list[int]) -> float:
    """Steal (the eighth counter) as a per cent of all CPU time between two readings."""
    spent = [a - b for a, b in zip(after, before, strict=True)]
    total = sum(spent[:8])  # guest time is counted in user time already
    return 100.0 * spent[7] / total if total else 0.0
