"""The generator plays its stories in time order: an agent is booked for the earliest ask of
any request first, whatever order the requests were submitted in; the cases are written in
submission order, a chunk at a time."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from apps.demo.history_play import play_in_time_order

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class _Desk:
    def prune(self, before):
        pass


def test_asks_are_served_in_time_order_and_cases_written_in_submission_order():
    served: list[str] = []

    def story(name: str, asks: list[int]):
        for minutes in asks:
            yield T0 + timedelta(minutes=minutes)
            served.append(f"{name}@{minutes}")

    # A was submitted first, but its follow-up is asked for at 11:00; B asks at 10:00.
    plans = {"A": (0, [5, 120]), "B": (30, [60]), "C": (40, [])}
    drafts = [
        SimpleNamespace(name=name, created_at=T0 + timedelta(minutes=start))
        for name, (start, _asks) in plans.items()
    ]
    written: list[list[str]] = []
    play_in_time_order(
        drafts,
        lambda draft: (draft.name, story(draft.name, plans[draft.name][1])),
        _Desk(),
        lambda cases: written.append(list(cases)),
        chunk=2,
    )
    assert served == ["A@5", "B@60", "A@120"]
    assert written == [["A", "B"], ["C"]]
