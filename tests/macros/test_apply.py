# ruff: noqa: RUF001 - Chinese text has full-width punctuation
"""Applying a macro: the reply through the door, then its transition, all or nothing; the text in
the customer's language; who may use which macro; usage counted; the log still replays."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from apps.accounts.actors import actor_for_user
from apps.core.errors import Conflict, Forbidden, InvalidData, NotAllowed
from apps.eventlog.models import Event
from apps.lifecycle.states import State
from apps.macros import selectors
from apps.macros.models import TRANSITIONS, Macro
from apps.macros.services import do_apply_macro
from apps.tickets import hooks
from apps.tickets.admin.forms import takes_data
from apps.tickets.models import Message, ServiceRequest
from apps.tickets.signals import message_posted, request_transitioned
from tests.factories import AgentFactory, DepartmentFactory, drive
from tests.macros.conftest import in_progress

pytestmark = pytest.mark.django_db


def apply(request, macro, agent, **kwargs):
    return do_apply_macro(request, macro=macro, actor=actor_for_user(agent.user), **kwargs)


def test_a_macro_replies_then_resolves_and_the_log_replays(
    working, resolve_macro, agent, django_capture_on_commit_callbacks, capsys
):
    announced = []

    def hear(**kwargs):
        announced.append(kwargs.get("transition") or "message")

    message_posted.connect(hear, dispatch_uid="macro-test-m")
    request_transitioned.connect(hear, dispatch_uid="macro-test-t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            applied = apply(working, resolve_macro, agent)
            assert announced == []  # nothing leaves before the commit
    finally:
        message_posted.disconnect(dispatch_uid="macro-test-m")
        request_transitioned.disconnect(dispatch_uid="macro-test-t")
    assert announced == ["message", "resolve"]
    working.refresh_from_db()
    assert working.state == State.RESOLVED
    assert applied.message.body == (
        f"Hello Carol,\n\n{working.reference} is fixed.\n\nAlice Agent, IT support"
    )
    assert applied.message.visibility == "public"
    last = Event.objects.filter(request=working).order_by("-seq")[:2]
    assert [e.kind for e in reversed(last)] == ["message", "transition"]
    assert last[0].payload["explain"] == {"macro": resolve_macro.pk, "macro_name": "Fixed"}
    resolve_macro.refresh_from_db()
    assert resolve_macro.usage_count == 1
    assert resolve_macro.last_used_at is not None
    call_command("check_event_log")
    assert "violation" not in capsys.readouterr().out.lower()


def test_the_reply_is_in_the_customers_language(working, resolve_macro, agent, carol):
    carol.language = "zh-hans"
    carol.save(update_fields=["language"])
    applied = apply(ServiceRequest.objects.get(pk=working.pk), resolve_macro, agent)
    # The state is named in the customer's language too (as it was before resolving).
    assert applied.message.body == f"Carol Meyer，您好：{working.reference} 已修复。处理中"


def test_without_a_translation_the_macros_own_text_is_sent(working, personal_macro, agent, carol):
    carol.language = "zh-hans"
    carol.save(update_fields=["language"])
    applied = apply(ServiceRequest.objects.get(pk=working.pk), personal_macro, agent)
    assert applied.message.body == "Could you send a photo of printer jams?"
    working.refresh_from_db()
    assert working.state == State.PENDING_CUSTOMER


def test_the_agents_edit_is_sent_instead_of_the_text(working, resolve_macro, agent):
    applied = apply(working, resolve_macro, agent, body="Fixed: the roller was worn.")
    assert applied.message.body == "Fixed: the roller was worn."


def test_a_transition_not_open_now_sends_nothing_and_counts_nothing(working, personal_macro, agent):
    working = ServiceRequest.objects.get(pk=working.pk)
    messages_before = Message.objects.count()
    seq = working.last_event_seq
    resolve_first = Macro.objects.create(name="Done", owner=agent.user, body="Done.")
    apply(working, resolve_first, agent)  # a reply alone is fine
    working.refresh_from_db()
    drive(working, ("resolve", {}, actor_for_user(agent.user)))
    with pytest.raises(NotAllowed) as refused:
        apply(ServiceRequest.objects.get(pk=working.pk), personal_macro, agent)
    assert "Request info" in refused.value.message
    assert "Nothing was sent" in refused.value.message
    assert Message.objects.count() == messages_before + 1
    assert ServiceRequest.objects.get(pk=working.pk).last_event_seq == seq + 2
    personal_macro.refresh_from_db()
    assert personal_macro.usage_count == 0


def test_a_stale_version_is_a_conflict_with_nothing_written(working, resolve_macro, agent):
    with pytest.raises(Conflict):
        apply(working, resolve_macro, agent, expected_version=working.version - 1)
    assert not Message.objects.filter(request=working).exists()


def test_an_empty_edit_is_refused(working, resolve_macro, agent):
    with pytest.raises(InvalidData):
        apply(working, resolve_macro, agent, body="  ")
    resolve_macro.refresh_from_db()
    assert resolve_macro.usage_count == 0


def test_agents_use_their_own_and_their_departments_macros_only(
    working, resolve_macro, personal_macro, agent, department
):
    colleague = AgentFactory(user__username="dan", departments=[department])
    elsewhere = AgentFactory(user__username="erin", departments=[DepartmentFactory()])
    assert set(selectors.list_macros_for(actor_for_user(agent.user))) == {
        resolve_macro,
        personal_macro,
    }
    assert list(selectors.list_macros_for(actor_for_user(colleague.user))) == [resolve_macro]
    assert list(selectors.list_macros_for(actor_for_user(elsewhere.user))) == []
    # A colleague's personal macro is not theirs to use.
    with pytest.raises(Forbidden):
        apply(working, personal_macro, colleague)
    resolve_macro.is_active = False
    resolve_macro.save()
    assert list(selectors.list_macros_for(actor_for_user(colleague.user))) == []


def test_customers_never_apply_macros(working, resolve_macro, carol):
    with pytest.raises(Forbidden):
        do_apply_macro(working, macro=resolve_macro, actor=actor_for_user(carol.user))
    assert list(selectors.list_macros_for(actor_for_user(carol.user))) == []


def test_usage_is_counted_in_the_database(working, department, agent, carol):
    macro = Macro.objects.create(name="Ack", department=department, body="Thanks!")
    stale = Macro.objects.get(pk=macro.pk)  # an instance read before the uses
    for _n in range(3):
        apply(in_progress(carol, department, agent), stale, agent)
    macro.refresh_from_db()
    assert macro.usage_count == 3


def test_saving_a_macro_with_an_unknown_variable_is_refused(department, agent):
    macro = Macro(name="Bad", department=department, body="Hi {{ customer.email }}")
    with pytest.raises(ValidationError) as refused:
        macro.full_clean()
    assert "Unknown variable {{ customer.email }}" in str(refused.value.message_dict["body"])
    both = Macro(name="Both", department=department, owner=agent.user, body="Hi")
    with pytest.raises(ValidationError):
        both.full_clean()
    neither = Macro(name="Neither", body="Hi")
    with pytest.raises(ValidationError):
        neither.full_clean()
    with pytest.raises(ValidationError):
        Macro(name="X", owner=agent.user, body="Hi", transition="route").full_clean()


@pytest.mark.parametrize("name", [name for name, _label in TRANSITIONS])
def test_a_macros_transitions_are_an_agents_and_take_no_data(name):
    permission = next(
        t.permission
        for t in ServiceRequest._meta.get_field("state").get_all_transitions(ServiceRequest)
        if t.name == name
    )
    assert "agent" in permission.roles
    assert not takes_data(name)


def test_a_transition_refused_after_the_reply_rolls_the_reply_back(working, resolve_macro, agent):
    """A guard of another app (say, an open consult) refuses the resolve only inside the door,
    after the reply was written: the reply goes too, and the use is not counted."""

    def refuse_resolve(request, name, actor):
        if name == "resolve":
            raise NotAllowed("A consult is still open.", state=request.state, allowed=[])

    hooks.guard_transition(refuse_resolve)
    try:
        with pytest.raises(NotAllowed, match="consult"):
            apply(working, resolve_macro, agent)
    finally:
        hooks._GUARDS.remove(refuse_resolve)
    assert not Message.objects.filter(request=working).exists()
    fresh = ServiceRequest.objects.get(pk=working.pk)
    assert (fresh.state, fresh.last_event_seq) == (State.IN_PROGRESS, working.last_event_seq)
    resolve_macro.refresh_from_db()
    assert resolve_macro.usage_count == 0
