"""Putting a request into any state through the door, and picking who may run a transition."""

from apps.accounts.actors import BOT, SYSTEM, actor_for_user
from apps.lifecycle.priority import Priority
from apps.lifecycle.states import State
from apps.tickets import services
from apps.tickets.transition_data import transition_data
from tests.factories import AgentFactory, CategoryFactory, DepartmentFactory, submit


class Desk:
    """A department with a lead agent and a second agent, another department, a customer."""

    def __init__(self, customer):
        self.department = DepartmentFactory()
        self.other_department = DepartmentFactory()
        self.lead = AgentFactory(departments=[self.department])
        self.department.leads.add(self.lead.user)
        self.second = AgentFactory(departments=[self.department])
        self.customer = customer
        self.actors = [SYSTEM, BOT, actor_for_user(self.lead.user), actor_for_user(customer.user)]

    # The steps from `new` to each state, each (transition, data).
    def steps_to(self, state: str) -> list[tuple[str, dict]]:
        routed = [("route", {"department": self.department})]
        assigned = [*routed, ("assign", {"assignee": self.lead})]
        working = [*assigned, ("start", {})]
        resolved = [*working, ("resolve", {})]
        return {
            State.NEW: [],
            State.AWAITING_APPROVAL: [("require_approval", {})],
            State.BOT_ANSWERED: [("propose_answer", {})],
            State.QUEUED: routed,
            State.ASSIGNED: assigned,
            State.IN_PROGRESS: working,
            State.PENDING_CUSTOMER: [*working, ("request_info", {})],
            State.RESOLVED: resolved,
            State.CLOSED: [*resolved, ("close", {})],
            State.CANCELLED: [("cancel", {})],
        }[state]

    def request_in(self, state: str, *, by_bot: bool = False):
        """A request in `state`; `by_bot` resolves it by an accepted bot answer instead."""
        request = submit(self.customer)
        steps = [("propose_answer", {}), ("accept_answer", {})] if by_bot else self.steps_to(state)
        for name, data in steps:
            request = services.transition(
                request, name, actor=self.actor_for(request, name), data=transition_data(name, data)
            )
        assert request.state == state
        return request

    def actor_for(self, request, name: str):
        """The first actor allowed to run `name` on the request now."""
        method = getattr(request, name)
        meta = method._django_fsm.get_transition(request.state)
        return next(a for a in self.actors if meta is None or meta.has_perm(request, a))

    def data_for(self, request, name: str) -> dict:
        if name == "route":
            return {"department": self.department}
        if name == "transfer":
            return {"department": self.other_department}
        if name in ("assign", "reassign"):
            agent = self.second if request.assignee_id == self.lead.pk else self.lead
            return {"assignee": agent}
        if name == "recategorize":
            return {"category": CategoryFactory(default_department=self.department)}
        if name == "reprioritize":
            return {"priority": Priority.CRITICAL}
        if name == "merge":  # (the door alone: merging.do_merge_requests moves the rest)
            return {"into": submit(self.customer)}
        return {}
