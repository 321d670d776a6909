"""Where apps above improvement add to a problem's admin page, registered in their ready().

The simulation app's PDCA cycles link to problems; the problem page lists them through this
registry instead of improvement importing a higher app (docs/architecture.md "Layers"). A second
registration under the same key replaces the first (ready() may run twice in tests)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordList:
    """Records of a higher app about one problem: `label` and `links(problem)` -> [(text,
    url)], shown on the problem's page."""

    key: str
    label: Any  # a lazily translated text
    links: Callable[[Any], list[tuple[str, str]]]


_LISTS: dict[str, RecordList] = {}


def add_problem_records(records: RecordList) -> None:
    _LISTS[records.key] = records


def problem_records(problem) -> list[tuple[Any, list[tuple[str, str]]]]:
    """(label, links) of every registered list, in the order of registration."""
    return [(records.label, records.links(problem)) for records in _LISTS.values()]
