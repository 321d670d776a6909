"""One back-dated request's life for the history generator: its events, SLA clocks, message
and feedback, consistent with what the door would have written (replayable log, contiguous
sequence, wall and business time in each state, clocks paused and stopped by the same rules)."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apps.accounts.actors import Role
from apps.accounts.models import Department
from apps.eventlog.models import Event, EventKind
from apps.lifecycle.priority import raised
from apps.lifecycle.states import SUBMIT
from apps.sla.business_time import business_seconds_between
from apps.sla.models import ClockKind, ClockState, SLAClock
from apps.sla.timers import PAUSING, PAUSING_RESPONSE, STOPPING, schedule_of
from apps.tickets.models import ServiceRequest


@dataclass
class Org:
    """Who the generator draws from: departments with their agents and leads, customers,
    categories (with default departments)."""

    departments: list
    agents_of: dict  # department id -> [Agent]
    lead_of: dict  # department id -> user id or None
    customers: list
    categories: list
    triage: Department | None = None  # where a request without a department's category goes first


@dataclass
class Case:
    """A request being simulated; `events` are dicts for Event(...), in order."""

    request: ServiceRequest
    rng: random.Random
    now: datetime
    policy: object | None
    t: datetime = None
    state: str = ""
    since: datetime = None
    events: list = field(default_factory=list)
    clocks: dict = field(default_factory=dict)
    message_at: datetime | None = None
    feedback: tuple | None = None
    transitions: int = 0

    def __post_init__(self):
        self.t = self.since = self.request.created_at
        self.schedule = schedule_of(self.policy)

    # --- time ---------------------------------------------------------------------------

    def wait(self, minutes: float) -> bool:
        """Let time pass; False when the step would happen after now (the story stops)."""
        self.t += timedelta(minutes=max(minutes, 0.05))
        return self.t <= self.now

    def until(self, at: datetime) -> bool:
        """Let time pass up to `at` (never back); False when that is after now."""
        self.t = max(self.t, at)
        return self.t <= self.now

    # --- writing ------------------------------------------------------------------------

    def move(self, name: str, to_state: str | None, role: str, user_id=None, **payload) -> None:
        """A transition at the current time (to_state None keeps the state)."""
        from_state = self.state
        to_state = to_state or from_state
        wall = business = None
        if to_state != from_state and from_state:
            wall = (self.t - self.since).total_seconds()
            business = business_seconds_between(self.schedule, self.since, self.t)
        if to_state != from_state:
            self.since = self.t
        self.state = to_state
        if name != SUBMIT:
            self.transitions += 1
        self._event(
            EventKind.TRANSITION,
            role,
            user_id,
            payload,
            transition=name,
            from_state=from_state,
            wall_seconds=wall,
            business_seconds=business,
        )
        self._clocks_after(name, from_state)
        self._mark_request(name, to_state)

    def note(self, kind: str, role: str, user_id=None, **payload) -> None:
        self._event(kind, role, user_id, payload)

    def _event(self, kind, role, user_id, payload, **change: str | float | None) -> None:
        """Append the row; `change` sets a transition's name, from_state and times."""
        request = self.request
        row = {
            "kind": kind,
            "transition": "",
            "from_state": self.state,
            "to_state": self.state,
            "actor_id": user_id,
            "actor_role": role,
            "department_id": request.department_id,
            "assignee_id": request.assignee_id,
            "at": self.t,
            "wall_seconds": None,
            "business_seconds": None,
            "payload": payload,
        }
        row.update(change)
        self.events.append(row)

    def _mark_request(self, name: str, to_state: str) -> None:
        request = self.request
        if name in ("resolve", "accept_answer"):
            request.resolved_at = self.t
        elif name == "reopen":
            request.resolved_at = None
            request.reopen_count += 1
        elif name in ("close", "auto_close", "cancel", "reject"):
            request.closed_at = self.t
        elif name == "escalate":
            request.escalation_level += 1
        elif name == "approve":
            request.approved_at = self.t

    # --- SLA clocks, as apps/sla/timers.py moves them ------------------------------------

    def start_clocks(self) -> None:
        if self.policy is None:
            return
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION):
            target = self.policy.target_seconds(kind)
            if target:
                clock = SLAClock(kind=kind, policy=self.policy, target_seconds=target)
                clock.start(self.schedule, self.t)
                self.clocks[kind] = clock

    def _clocks_after(self, name: str, from_state: str) -> None:
        for clock in self.clocks.values():
            pausing = PAUSING if clock.kind == ClockKind.RESOLUTION else PAUSING_RESPONSE
            if self.state in STOPPING and clock.state != ClockState.STOPPED:
                self._stop(clock)
            elif name == "reopen" and clock.kind == ClockKind.RESOLUTION:
                if clock.state == ClockState.STOPPED:
                    clock.stopped_at = None
                    clock.start(self.schedule, self.t)
            elif self.state in pausing and clock.state == ClockState.RUNNING:
                clock.halt(self.schedule, self.t, ClockState.PAUSED)
            elif (
                from_state in pausing
                and self.state not in pausing
                and clock.state == ClockState.PAUSED
            ):
                clock.start(self.schedule, self.t)

    def _stop(self, clock) -> None:
        clock.halt(self.schedule, self.t, ClockState.STOPPED)
        if clock.breached_at is None and clock.elapsed_seconds > clock.target_seconds:
            clock.breached_at = self.t

    def agent_replies(self, agent) -> None:
        """The first public reply of an agent: a message event that stops the first-response
        clock."""
        self.message_at = self.t
        self.request.first_response_at = self.t
        self.note(EventKind.MESSAGE, Role.AGENT, agent.user_id, visibility="public")
        clock = self.clocks.get(ClockKind.FIRST_RESPONSE)
        if clock is not None and clock.state != ClockState.STOPPED:
            self._stop(clock)

    def settle_clocks(self) -> list[SLAClock]:
        """Clocks still running at `now`: thresholds already passed are recorded (so the
        live sweep does not act on history), the deadline planned."""
        for clock in self.clocks.values():
            clock.request = self.request
            if clock.state != ClockState.RUNNING:
                continue
            passed = [
                p for p in clock.thresholds() if clock.instant_of(self.schedule, p) <= self.now
            ]
            if passed:
                clock.percent_recorded = max(passed)
                if max(passed) >= 100:
                    clock.breached_at = clock.instant_of(self.schedule, 100)
                clock.warned_at = clock.instant_of(self.schedule, min(passed))
            clock.plan(self.schedule)
        return list(self.clocks.values())

    def event_rows(self) -> list[Event]:
        return [
            Event(request_id=self.request.pk, seq=seq, **row)
            for seq, row in enumerate(self.events, start=1)
        ]

    def raise_priority(self) -> dict[str, int]:
        """One step more urgent; the change as the door writes it into the event's payload."""
        before = int(self.request.priority)
        self.request.priority = raised(before)
        self.request.priority_overridden = True
        return {"from": before, "to": int(self.request.priority)}
