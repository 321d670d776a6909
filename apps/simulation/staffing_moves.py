"""Moving agents between departments: in each band of hours, the agents a department has
beyond what met its target lent to one that misses it (apps/simulation/staffing.py judges both
staffings by simulation). Where the model knows agents' skills, only agents who can work
every category of the receiving department are lent; a move that finds none says which
categories they lack (apps/simulation/skills.py)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from apps.simulation.kpis import Estimate

HOURS_PER_DAY = 24


@dataclass
class Move:
    """`agents` agents of department `source` work for `target` from `start` to `end` (hours
    of the day, UTC, end excluded). With `missing`, a move that cannot be made: the source's
    agents lack those categories of the target's work."""

    source: str
    target: str
    agents: int
    start: int
    end: int
    missing: list[str] = field(default_factory=list)


@dataclass
class Judged:
    """One simulated staffing: per department its resolution-SLA share (95 % interval) and
    its agents' utilisation per band; whether it meets the target."""

    staffing: dict[str, list[int]]
    sla: dict[str, Estimate]
    utilisation: dict[str, list[float]]
    met: dict[str, bool]


Lendable = Callable[[str, str], tuple[int | None, list[str]]]


def suggest_moves(
    as_is: Judged, optimised: Judged, band_hours: int, lendable: Lendable | None = None
) -> list[Move]:
    """In each band, agents a department has beyond its optimised staffing (which met the
    target with fewer) lent to a department that misses its target as-is and needs more there;
    the largest surplus first. `lendable(source, target)`: how many of the source's agents can
    work the target's categories (None: any) and what the others lack; the agents it cannot
    lend are a move with `missing`. Neighbouring bands with the same move are merged."""
    moves: list[Move] = []
    for band in range(HOURS_PER_DAY // band_hours):
        spare = {
            d: as_is.staffing[d][band] - optimised.staffing[d][band]
            for d in as_is.staffing
            if as_is.staffing[d][band] > optimised.staffing[d][band]
        }
        need = {
            d: optimised.staffing[d][band] - as_is.staffing[d][band]
            for d in as_is.staffing
            if not as_is.met[d] and optimised.staffing[d][band] > as_is.staffing[d][band]
        }
        lent: dict[str, int] = {}
        for target in sorted(need, key=lambda d: (-need[d], d)):
            for source in sorted(spare, key=lambda d: (-spare[d], d)):
                wanted = min(spare[source], need[target])
                if wanted <= 0:
                    continue
                able, missing = lendable(source, target) if lendable else (None, [])
                agents = wanted if able is None else max(min(wanted, able - lent.get(source, 0)), 0)
                start = band * band_hours
                if agents < wanted and missing:
                    refused = Move(source, target, wanted - agents, start, start + band_hours)
                    refused.missing = missing
                    _add_move(moves, refused)
                if agents <= 0:
                    continue
                spare[source] -= agents
                need[target] -= agents
                lent[source] = lent.get(source, 0) + agents
                _add_move(moves, Move(source, target, agents, start, start + band_hours))
    return moves


def _add_move(moves: list[Move], move: Move) -> None:
    for earlier in moves:
        if (earlier.source, earlier.target, earlier.agents, earlier.end, earlier.missing) == (
            move.source,
            move.target,
            move.agents,
            move.start,
            move.missing,
        ):
            earlier.end = move.end
            return
    moves.append(move)


def moved_staffing(
    staffing: dict[str, list[int]], moves: list[Move], band_hours: int
) -> dict[str, list[int]]:
    """`staffing` (bands per department) with the moves made (not those refused)."""
    moved = {d: list(b) for d, b in staffing.items()}
    for move in (m for m in moves if not m.missing):
        for band in range(move.start // band_hours, move.end // band_hours):
            moved[move.source][band] -= move.agents
            moved[move.target][band] += move.agents
    return moved
