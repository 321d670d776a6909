"""Demo handoffs for `make run`: an OLA policy into Finance, a pending consult, a pending
transfer; made through the handoff services like any agent's."""

from apps.accounts.actors import actor_for_user
from apps.handoffs.models import OLAPolicy
from apps.handoffs.services import do_request_handoff
from apps.lifecycle.states import OWNED


def build_handoffs(departments: dict, requests: list) -> dict[str, int]:
    """`departments` by code, `requests` as the demo stories left them; returns counts."""
    finance, facilities = departments["finance"], departments["facilities"]
    OLAPolicy.objects.create(
        name="Into Finance",
        to_department=finance,
        acceptance_minutes=60,
        completion_minutes=240,
        expire_after_minutes=8 * 60,
    )
    OLAPolicy.objects.create(
        name="Into Facilities", to_department=facilities, acceptance_minutes=120
    )
    it = departments["it"]
    owned = [r for r in requests if r.department_id == it.pk and r.state in OWNED]
    working = [r for r in owned if r.state == "in_progress"][:1]
    others = [r for r in owned if r not in working][:1]
    made = 0
    for request, kind, target, reason in (
        (working, "consult", finance, "Is this covered by the hardware budget?"),
        (others, "transfer", facilities, "The fault is in the building's wiring."),
    ):
        for one in request:
            person = one.assignee.user if one.assignee_id else it.leads.first()
            do_request_handoff(
                one,
                actor=actor_for_user(person),
                kind=kind,
                to_department=target,
                reason=reason,
            )
            made += 1
    return {"ola_policies": 2, "handoffs": made}
