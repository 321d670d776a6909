"""Problem records: the corrective-action lifecycle through its door, and the before/after
verification on constructed data."""

from itertools import pairwise

import pytest

from apps.accounts.actors import actor_for_user
from apps.core.errors import Conflict, Forbidden, NotAllowed
from apps.improvement.models import Indicator, Problem, ProblemEvent
from apps.improvement.problems import services
from apps.improvement.problems.verification import verify
from tests.factories import AgentFactory


def _planned(desk, **fields) -> Problem:
    problem = services.do_open_problem(
        actor=desk.lead_actor,
        title="Printers jam",
        category=desk.category,
        department=desk.department,
        **fields,
    )
    problem = services.transition_problem(problem, "analyse", actor=desk.lead_actor)
    problem = services.do_update_problem(
        problem,
        actor=desk.lead_actor,
        root_cause="Cheap paper",
        corrective_action="Buy the right paper",
    )
    return services.transition_problem(problem, "plan", actor=desk.lead_actor)


def test_the_lifecycle_runs_through_the_door_and_is_logged(desk):
    problem = services.do_open_problem(actor=desk.lead_actor, title="Printers jam")
    assert problem.state == "open" and problem.owner == desk.lead.user
    problem = services.transition_problem(problem, "analyse", actor=desk.lead_actor)
    with pytest.raises(NotAllowed) as refused:
        services.transition_problem(problem, "plan", actor=desk.lead_actor)
    assert refused.value.details["allowed"] == ["cancel"]
    problem = services.do_update_problem(
        problem, actor=desk.lead_actor, root_cause="Cheap paper", corrective_action="New paper"
    )
    problem = services.transition_problem(problem, "plan", actor=desk.lead_actor)
    problem = services.transition_problem(problem, "implement", actor=desk.lead_actor)
    assert problem.state == "implemented" and problem.implemented_at is not None
    # Verification is earned by measurement: the bare transition is refused.
    with pytest.raises(NotAllowed):
        services.transition_problem(problem, "verify", actor=desk.lead_actor)
    problem = services.transition_problem(problem, "reopen", actor=desk.lead_actor, reason="x")
    problem = services.transition_problem(problem, "analyse", actor=desk.lead_actor)
    problem = services.transition_problem(problem, "cancel", actor=desk.lead_actor)
    assert problem.state == "cancelled" and problem.closed_at is not None
    log = list(ProblemEvent.objects.filter(problem=problem).order_by("seq"))
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    assert [e.transition for e in log] == [
        "open",
        "analyse",
        "edit",
        "plan",
        "implement",
        "reopen",
        "analyse",
        "cancel",
    ]
    assert log[2].payload == {"fields": ["corrective_action", "root_cause"]}
    assert log[5].payload == {"reason": "x"}
    # The log replays to the state.
    assert log[-1].to_state == problem.state
    assert all(a.to_state == b.from_state for a, b in pairwise(log) if b.from_state)


def test_only_its_owner_or_leads_move_it_and_stale_versions_conflict(desk):
    problem = services.do_open_problem(actor=desk.lead_actor, title="Slow VPN")
    other = actor_for_user(AgentFactory(departments=[desk.department]).user)
    with pytest.raises(Forbidden):
        services.transition_problem(problem, "analyse", actor=other)
    with pytest.raises(Forbidden):
        services.do_open_problem(actor=other, title="Not a lead")
    stale = problem.version
    services.transition_problem(problem, "analyse", actor=desk.lead_actor)
    with pytest.raises(Conflict):
        services.transition_problem(
            problem, "cancel", actor=desk.lead_actor, expected_version=stale
        )


def test_verification_finds_the_faster_resolution_and_verifies(desk):
    for hours in (8, 9, 10, 11, 12, 10, 9):
        desk.resolved_after(hours)
    problem = _planned(desk)
    problem = services.transition_problem(problem, "implement", actor=desk.lead_actor)
    for hours in (1, 2, 1.5, 2.5, 1, 2, 3):
        desk.resolved_after(hours)
    problem = services.do_verify_problem(problem, actor=desk.lead_actor)
    assert problem.state == "verified"
    result = problem.verification
    assert result["test"] == "mann_whitney_u" and result["improved"] is True
    assert result["before"]["count"] == 7 and result["after"]["count"] == 7
    assert result["before"]["median_hours"] == pytest.approx(10, abs=0.01)
    assert result["after"]["median_hours"] == pytest.approx(2, abs=0.01)
    # All seven before are slower than all seven after (U = 49, the largest possible); with
    # ties scipy uses the normal approximation: p about 0.001.
    assert result["p_value"] < 0.002
    last = problem.events.order_by("-seq").first()
    assert last.transition == "verify" and last.payload["verification"] == result


def test_no_improvement_reopens_the_problem(desk):
    for hours in (2, 3, 2, 3, 2, 3):
        desk.resolved_after(hours)
    problem = _planned(desk)
    problem = services.transition_problem(problem, "implement", actor=desk.lead_actor)
    for hours in (3, 2, 3, 2, 3, 2):
        desk.resolved_after(hours)
    problem = services.do_verify_problem(problem, actor=desk.lead_actor)
    assert problem.state == "reopened"
    assert problem.verification["improved"] is False
    assert problem.verification["p_value"] > 0.05


def test_the_reopen_rate_is_compared_with_fishers_test(desk):
    for n in range(10):
        desk.resolved_after(1, reopen=n < 6)
    problem = _planned(desk, indicator=Indicator.REOPEN_RATE)
    problem = services.transition_problem(problem, "implement", actor=desk.lead_actor)
    for _n in range(10):
        desk.resolved_after(1)
    result = verify(problem)
    # Before: 6 reopens in 16 resolutions; after: none in 10.
    assert result["before"]["reopens"] == 6 and result["before"]["count"] == 16
    assert result["after"]["reopens"] == 0 and result["after"]["count"] == 10
    assert result["test"] == "fisher_exact" and result["improved"] is True


def test_too_few_cases_never_verify(desk):
    desk.resolved_after(5)
    problem = _planned(desk)
    problem = services.transition_problem(problem, "implement", actor=desk.lead_actor)
    desk.resolved_after(1)
    result = verify(problem)
    assert result["improved"] is False and "fewer than" in result["note"]


def test_a_problem_from_a_feedback_theme_links_the_commented_requests(desk):
    from apps.tickets.feedback import do_give_feedback

    customer = actor_for_user(desk.customer.user)
    first, second, third = (desk.resolved_after(1) for _n in range(3))
    notes = [
        do_give_feedback(r, actor=customer, rating=2, comment="slow printer")
        for r in (first, second)
    ]
    do_give_feedback(third, actor=customer, rating=5, comment="great")
    problem = services.do_open_problem(
        actor=desk.lead_actor,
        title="Printer complaints",
        theme="printer, slow",
        feedback_ids=[n.pk for n in notes],
    )
    assert problem.source == "feedback_theme"
    assert set(problem.requests.all()) == {first, second}
    assert problem.events.get().payload == {"requests": sorted([first.pk, second.pk])}
