"""One generated request's story, step by step: the bot's answer, routing, the queue (waiting
for an agent of the department, apps/demo/history_desk.py), the work, questions to the
customer, transfers, escalations, resolution, reopening and feedback. What happens and how long
it takes depends on the request's category, priority, channel and customer tier, on the loops
it has been through, on how late it is and on the desk's load (apps/demo/history_traits.py)."""

import random
from collections.abc import Generator, Iterator
from datetime import UTC, datetime, timedelta

from apps.accounts.actors import Role
from apps.demo.history_case import Case, Org
from apps.demo.history_desk import Desk
from apps.demo.history_traits import (
    PATIENCE_HOURS,
    bot_accepted,
    bot_proposes,
    info_needed,
    lognormal,
    misrouted,
    pickup_minutes,
    reopened,
    reply_minutes,
    work_minutes,
)
from apps.eventlog.models import EventKind
from apps.lifecycle.states import State
from apps.sla.business_time import add_business_seconds, business_seconds_between
from apps.sla.models import ClockKind, ClockState

# A customer chases a request whose resolution clock has used this share of its target.
LATE = 0.75
# The hours in which customers write (local, in the office's zone).
AWAKE = (7, 21)
# Work queued behind the agent that makes them rush (and the request come back more often).
RUSHED = 2


class Story:
    """Plays a case from submission (already moved) to its end or to now. `play` is a
    generator: it yields each instant at which the request asks for an agent (its pickup, a
    follow-up), and the caller resumes it once every earlier ask of every request has been
    booked (history.py plays all stories in time order): an agent's book then holds only work
    asked for before, as an agent knows only of that (first come, first served)."""

    def __init__(self, case: Case, org: Org, desk: Desk, rng: random.Random):
        self.case, self.org, self.desk, self.rng = case, org, desk, rng
        request = case.request
        self.customer = request.customer.user_id
        self.tier = request.customer.tier
        self.loops = 0
        self.transferred = False
        self.rushed = False

    def play(self) -> Iterator[datetime]:
        case, request = self.case, self.case.request
        if not self._bot_answer():
            return
        if not case.wait(lognormal(self.rng, 3)):
            return
        category = request.category
        if category is not None and category.default_department_id in self.org.agents_of:
            request.department_id = category.default_department_id
        else:
            request.department = self.org.triage
        case.move("route", State.QUEUED, Role.SYSTEM)
        yield from self._handle()

    def _department(self) -> int:
        department = self.case.request.department_id
        assert department is not None, "routed before it waits for an agent"
        return department

    def _agent(self) -> int:
        """The user id of the assignee (the story has assigned one by then)."""
        assignee = self.case.request.assignee
        assert assignee is not None, "assigned before the agent acts"
        return assignee.user_id

    def _bot_answer(self) -> bool:
        """Perhaps the bot proposes an answer first (by channel and category). False when the
        story ends here."""
        case, rng = self.case, self.rng
        if not (rng.random() < bot_proposes(case.request) and case.wait(rng.uniform(0.5, 3))):
            return True
        case.move("propose_answer", State.BOT_ANSWERED, Role.BOT)
        if rng.random() < bot_accepted(case.request):
            if case.wait(lognormal(rng, 12)):
                case.move("accept_answer", State.RESOLVED, Role.CUSTOMER, self.customer)
                self._after_resolution()
            return False
        if not case.wait(lognormal(rng, 8)):
            return False
        case.move("decline_answer", State.NEW, Role.CUSTOMER, self.customer)
        return True

    def _handle(self) -> Iterator[datetime]:
        """The queue (the customer may give up), assignment, first reply, the work, then what
        follows it."""
        case, rng, request = self.case, self.rng, self.case.request
        department = self._department()
        minutes = work_minutes(rng, request, self.desk.work_minutes[department])
        queued = case.t
        ready = add_business_seconds(
            self.desk.schedule, queued, 60 * pickup_minutes(rng, request, self.tier)
        )
        yield ready
        agent, start, end = self.desk.earliest(
            department, ready, minutes, category=request.category_id
        )
        patience = 3600 * lognormal(rng, PATIENCE_HOURS.get(self.tier, 24.0), 0.8)
        if business_seconds_between(self.desk.schedule, queued, start) > patience:
            case.t = add_business_seconds(self.desk.schedule, queued, patience)
            if case.t <= case.now:
                case.move("cancel", State.CANCELLED, Role.CUSTOMER, self.customer)
            return
        self.desk.book(agent, start, end)
        self.rushed = self.desk.backlog(agent, start) >= RUSHED
        if not case.until(start):
            return
        request.assignee = agent
        self._assign(department, agent)
        if not case.wait(lognormal(rng, 3, 0.6)):
            return
        case.agent_replies(agent)
        if not case.wait(lognormal(rng, 2, 0.6)):
            return
        case.move("start", State.IN_PROGRESS, Role.AGENT, agent.user_id)
        if case.until(end):
            yield from self._decide()

    def _assign(self, department: int, agent) -> None:
        """The `assign` event: by the system, naming the strategy where the desk is told one;
        by the agent themselves in a manual department."""
        strategy = self.desk.assigned_by.get(department)
        if strategy == "manual":
            self.case.move("assign", State.ASSIGNED, Role.AGENT, agent.user_id)
        elif strategy:
            self.case.move("assign", State.ASSIGNED, Role.SYSTEM, explain={"strategy": strategy})
        else:
            self.case.move("assign", State.ASSIGNED, Role.SYSTEM)

    def _decide(self) -> Iterator[datetime]:
        """After a piece of work: a transfer (wrong department), a question to the customer,
        an escalation when late, or the resolution."""
        rng, request = self.rng, self.case.request
        if (
            not self.transferred
            and self.loops == 0
            and len(self.org.departments) > 1
            and rng.random() < misrouted(request)
        ):
            yield from self._transfer()
            return
        while rng.random() < info_needed(request, self.loops):
            if not (yield from self._ask_customer()):
                return
        if self._late() and rng.random() < 0.6:
            change = {"priority": self.case.raise_priority()} if rng.random() < 0.5 else {}
            self.case.move("escalate", None, Role.CUSTOMER, self.customer, **change)
            if not (yield from self._follow_up(0.3)):
                return
        yield from self._resolve()

    def _late(self) -> bool:
        clock = self.case.clocks.get(ClockKind.RESOLUTION)
        if clock is None or clock.state != ClockState.RUNNING:
            return False
        used = clock.elapsed_at(self.case.schedule, self.case.t)
        return used > LATE * clock.target_seconds

    def _follow_up(self, share: float, answer: bool = False) -> Generator[datetime, None, bool]:
        """More work by the same agent when they are free (with `answer`, a public message as
        it starts). False when it reaches now."""
        case, request = self.case, self.case.request
        department = self._department()
        minutes = work_minutes(self.rng, request, self.desk.work_minutes[department])
        yield case.t
        agent, start, end = self.desk.earliest(
            department, case.t, minutes * share, agent=request.assignee
        )
        self.desk.book(agent, start, end)
        if answer:
            if not case.until(start):
                return False
            case.note(EventKind.MESSAGE, Role.AGENT, agent.user_id, visibility="public")
        return case.until(end)

    def _ask_customer(self) -> Generator[datetime, None, bool]:
        """A question to the customer, their reply (a later one the more loops) and the work it
        brings. False when the story reaches now or the customer never answers."""
        case, rng = self.case, self.rng
        case.move("request_info", State.PENDING_CUSTOMER, Role.AGENT, self._agent())
        if rng.random() < 0.05:
            if case.wait(lognormal(rng, 60 * 24 * 5, 0.3)):
                case.move("cancel", State.CANCELLED, Role.SYSTEM)
            return False
        reply = reply_minutes(rng, self.loops)
        if not (case.wait(reply) and self._daytime()):
            return False
        case.note(EventKind.MESSAGE, Role.CUSTOMER, self.customer, visibility="public")
        case.move("customer_reply", State.IN_PROGRESS, Role.CUSTOMER, self.customer)
        self.loops += 1
        return (yield from self._follow_up(0.5, answer=self.desk.answer_replies))

    def _daytime(self) -> bool:
        """Customers write in their day (07:00-21:00 in the office's zone): a reply that would
        come at night comes the next morning. False when that is after now."""
        case = self.case
        local = case.t.astimezone(self.desk.schedule.tz)
        if AWAKE[0] <= local.hour < AWAKE[1]:
            return True
        morning = local.replace(hour=AWAKE[0], minute=0, second=0, microsecond=0)
        if local.hour >= AWAKE[1]:
            morning += timedelta(days=1)
        return case.until((morning + timedelta(minutes=lognormal(self.rng, 60))).astimezone(UTC))

    def _resolve(self) -> Iterator[datetime]:
        """The assignee resolves; it may come back (by category, tier, rush and loops)."""
        case, rng, request = self.case, self.rng, self.case.request
        case.move("resolve", State.RESOLVED, Role.AGENT, self._agent())
        chance = reopened(request, tier=self.tier, rushed=self.rushed, loops=self.loops)
        if rng.random() < chance and case.wait(lognormal(rng, 600)) and self._daytime():
            case.move("reopen", State.IN_PROGRESS, Role.CUSTOMER, self.customer)
            self.rushed = False
            if not (yield from self._follow_up(0.6)):
                return
            case.move("resolve", State.RESOLVED, Role.AGENT, self._agent())
        self._after_resolution()

    def _transfer(self) -> Iterator[datetime]:
        """A transfer handoff to another department (2 in 10 bounce back first), then its
        queue."""
        case, rng, request = self.case, self.rng, self.case.request
        others = [d for d in self.org.departments if d.pk != request.department_id]
        target = rng.choice(others)
        handoff = {"handoff_kind": "transfer", "from_department": request.department_id}
        user = self._agent()
        case.note(
            EventKind.HANDOFF,
            Role.AGENT,
            user,
            step="requested",
            to_department=target.pk,
            **handoff,
        )
        if rng.random() < 0.2:
            if not case.wait(lognormal(rng, 45)):
                return
            case.note(
                EventKind.HANDOFF, Role.SYSTEM, step="bounced", to_department=target.pk, **handoff
            )
        if not case.wait(lognormal(rng, 30)):
            return
        lead = self.org.lead_of.get(target.pk)
        case.note(
            EventKind.HANDOFF, Role.AGENT, lead, step="accepted", to_department=target.pk, **handoff
        )
        request.department, request.assignee = target, None
        case.move("transfer", State.QUEUED, Role.SYSTEM, department={"to": target.pk})
        self.transferred = True
        yield from self._handle()

    def _after_resolution(self) -> None:
        case, rng = self.case, self.rng
        if rng.random() < 0.35 and case.wait(lognormal(rng, 120)):
            weights = [8, 8, 12, 30, 42] if self.loops or self.rushed else [3, 4, 9, 30, 54]
            rating = rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
            case.note(EventKind.FEEDBACK, Role.CUSTOMER, self.customer, rating=rating)
            case.feedback = (rating, case.t)
        if rng.random() < 0.7 and case.wait(lognormal(rng, 60 * 20, 0.5)):
            case.move("close", State.CLOSED, Role.CUSTOMER, self.customer)
