"""A notification reaches each person in their own language, whoever caused it and whatever
language was active when it was sent."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from apps.accounts.selectors import language_of
from apps.notifications.models import Notification
from apps.notifications.services import do_notify
from tests.factories import AgentFactory, CustomerFactory, UserFactory, submit
from workflows.escalation import _notify as notify_escalation

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_agent(department):
    return AgentFactory(user__username="en-agent", departments=[department], language="en").user


@pytest.fixture
def chinese_agent(department):
    return AgentFactory(
        user__username="zh-agent", departments=[department], language="zh-hans"
    ).user


def test_a_persons_language_comes_from_their_profile(english_agent, chinese_agent):
    chinese_customer = CustomerFactory(language="zh-hans").user

    assert language_of(chinese_agent) == "zh-hans"
    assert language_of(english_agent) == "en"
    assert language_of(chinese_customer) == "zh-hans"
    assert language_of(UserFactory()) == "en"  # neither: the desk's default


def test_each_recipient_reads_the_text_in_their_language(english_agent, chinese_agent):
    with translation.override("zh-hans"):  # the sender's language plays no part
        do_notify(
            recipients=[english_agent, chinese_agent],
            kind="escalation",
            title=lambda: _("Required."),
            body="words as written",
        )

    titles = dict(Notification.objects.values_list("recipient__username", "title"))
    assert titles == {"en-agent": "Required.", "zh-agent": "必填。"}
    assert set(Notification.objects.values_list("body", flat=True)) == {"words as written"}


def test_an_escalation_is_announced_to_each_in_their_language(
    customer, english_agent, chinese_agent
):
    request = submit(customer)

    with translation.override("en"):
        notify_escalation(request, [english_agent, chinese_agent], "breached")

    titles = dict(Notification.objects.values_list("recipient__username", "title"))
    assert titles["en-agent"] == f"{request.reference} escalated"
    assert titles["zh-agent"] != titles["en-agent"]
    assert request.reference in titles["zh-agent"]
