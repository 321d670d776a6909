"""A desk with a category and a way to resolve requests after a chosen time."""

import pytest

from apps.accounts.actors import actor_for_user
from apps.tickets import services
from apps.tickets.transition_data import transition_data
from tests.factories import CategoryFactory, submit
from tests.paths import Desk


class ProblemDesk(Desk):
    def __init__(self, customer, clock):
        super().__init__(customer)
        self.clock = clock
        self.category = CategoryFactory(default_department=self.department)
        self.lead_actor = actor_for_user(self.lead.user)

    def resolved_after(self, hours: float, *, reopen: bool = False):
        """Submit a request in the category now, resolve it `hours` later (reopen and resolve
        again at once when `reopen`); the clock ends one hour after."""
        request = submit(self.customer, category=self.category)
        for name, data in self.steps_to("in_progress"):
            request = services.transition(
                request, name, actor=self.actor_for(request, name), data=transition_data(name, data)
            )
        self.clock.advance(hours=hours)
        request = services.transition(request, "resolve", actor=self.lead_actor)
        if reopen:
            request = services.transition(
                request, "reopen", actor=actor_for_user(self.customer.user)
            )
            request = services.transition(request, "resolve", actor=self.lead_actor)
        self.clock.advance(hours=1)
        return request


@pytest.fixture
def desk(db, customer, clock):
    return ProblemDesk(customer, clock)
