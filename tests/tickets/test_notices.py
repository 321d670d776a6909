"""Who hears what about a request: customers about the conversation, agents about their work,
each in their own language, never the person who caused it, once per event."""

import re

import pytest
from django.test import override_settings

from apps.accounts.actors import BOT, actor_for_user
from apps.eventlog.models import Event
from apps.lifecycle.states import State
from apps.notifications.models import Notification
from apps.tickets import notices, services
from apps.tickets.feedback import do_give_feedback
from apps.tickets.models import Feedback
from tests.factories import drive
from tests.paths import Desk
from workflows import receivers

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(customer):
    return Desk(customer)


def last_seq(request) -> int:
    return Event.objects.filter(request=request).order_by("-seq").values_list("seq", flat=True)[0]


def told(request, kind):
    return list(Notification.objects.filter(request=request, kind=kind).select_related("recipient"))


def links_in(text: str) -> list[str]:
    return re.findall(r"http://\S+/r/\S+/(?:\?rating=\d)?", text)


class TestCustomerHears:
    def test_an_agents_public_reply_with_its_text_in_the_customers_language(self, desk, customer):
        customer.language = "zh-hans"
        customer.save()
        request = desk.request_in(State.IN_PROGRESS)
        lead = actor_for_user(desk.lead.user)
        reply = services.do_post_message(request, actor=lead, body="Please restart the router.")
        note = services.do_post_message(request, actor=lead, body="internal", internal=True)

        assert notices.notify_message(reply.pk) == 1
        assert notices.notify_message(note.pk) == 0
        (notice,) = told(request, "agent_reply")
        assert notice.recipient == customer.user
        assert "Please restart the router." in notice.body
        assert request.reference in notice.title
        assert notice.title != f"New reply on {request.reference}"  # it is Chinese
        assert "Reply to this e-mail" not in notice.body

    def test_a_request_for_information_says_what_is_asked(self, desk):
        request = desk.request_in(State.IN_PROGRESS)
        lead = actor_for_user(desk.lead.user)
        services.transition(request, "request_info", actor=lead, reason="Which printer model?")

        assert notices.notify_transition(request.pk, last_seq(request)) == 1
        (notice,) = told(request, "info_requested")
        assert "Which printer model?" in notice.body

    def test_a_resolution_carries_rating_links_and_a_rated_one_does_not(self, desk, customer_actor):
        request = desk.request_in(State.RESOLVED)
        notices.notify_transition(request.pk, last_seq(request))
        (notice,) = told(request, "request_resolved")
        assert len(links_in(notice.body)) == 5

        rated = desk.request_in(State.RESOLVED)
        do_give_feedback(rated, actor=customer_actor, rating=5)
        lead = actor_for_user(desk.lead.user)
        rated = drive(rated, ("reopen", {}, lead), ("resolve", {}, lead))
        notices.notify_transition(rated.pk, last_seq(rated))
        (again,) = told(rated, "request_resolved")
        assert links_in(again.body) == []

    def test_cancelled_by_the_desk_is_told_by_themselves_is_not(self, desk, customer_actor):
        lead = actor_for_user(desk.lead.user)
        by_desk = drive(desk.request_in(State.QUEUED), ("cancel", {}, lead))
        by_customer = services.transition(
            desk.request_in(State.QUEUED), "cancel", actor=customer_actor
        )

        assert notices.notify_transition(by_desk.pk, last_seq(by_desk)) == 1
        assert notices.notify_transition(by_customer.pk, last_seq(by_customer)) == 0

    def test_a_task_run_twice_tells_once(self, desk):
        request = desk.request_in(State.RESOLVED)
        seq = last_seq(request)

        assert notices.notify_transition(request.pk, seq) == 1
        assert notices.notify_transition(request.pk, seq) == 0
        assert len(told(request, "request_resolved")) == 1


class TestAgentsHear:
    def test_the_assignee_hears_of_an_assignment_they_did_not_make(self, desk):
        request = desk.request_in(State.ASSIGNED)  # the system assigned the lead
        notices.notify_transition(request.pk, last_seq(request))
        (notice,) = told(request, "assigned")
        assert notice.recipient == desk.lead.user

        lead = actor_for_user(desk.lead.user)
        queued = desk.request_in(State.QUEUED)
        mine = drive(queued, ("assign", {"assignee": desk.lead}, lead))
        assert notices.notify_transition(mine.pk, last_seq(mine)) == 0

    def test_the_assignee_hears_the_customers_reply(self, desk, customer_actor):
        request = desk.request_in(State.PENDING_CUSTOMER)
        message = services.do_post_message(request, actor=customer_actor, body="It is a HP 4050.")

        assert notices.notify_message(message.pk) == 1
        (notice,) = told(request, "customer_replied")
        assert (notice.recipient, notice.body) == (desk.lead.user, "It is a HP 4050.")

    def test_a_customer_reopening_tells_the_assignee(self, desk, customer_actor):
        request = desk.request_in(State.RESOLVED)
        request = services.transition(request, "reopen", actor=customer_actor, reason="Again")

        notices.notify_transition(request.pk, last_seq(request))
        (notice,) = told(request, "request_reopened")
        assert notice.recipient == desk.lead.user

    def test_an_approval_waits_for_the_supervisors_before_routing(self, desk, django_user_model):
        boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "x")
        request = desk.request_in(State.AWAITING_APPROVAL)

        notices.notify_transition(request.pk, last_seq(request))
        assert [n.recipient for n in told(request, "approval_requested")] == [boss]


class TestReceivers:
    @pytest.fixture
    def enqueued(self, monkeypatch):
        sent = []
        monkeypatch.setattr(receivers, "enqueue", lambda name, **kw: sent.append((name, kw)))
        return sent

    def test_only_transitions_someone_hears_of_are_enqueued(
        self, desk, enqueued, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            desk.request_in(State.IN_PROGRESS)  # submit, route, assign, start
        names = [kw.get("event_seq") for name, kw in enqueued if "notify" in name]
        assert names == [3]  # the assignment only

    def test_public_messages_of_people_are_enqueued_notes_and_the_bot_not(
        self, desk, enqueued, django_capture_on_commit_callbacks
    ):
        request = desk.request_in(State.IN_PROGRESS)
        lead = actor_for_user(desk.lead.user)
        with django_capture_on_commit_callbacks(execute=True):
            reply = services.do_post_message(request, actor=lead, body="public")
            services.do_post_message(request, actor=lead, body="note", internal=True)
            services.do_post_message(request, actor=BOT, body="bot")
        assert [kw for name, kw in enqueued if name == "notifications.notify_message"] == [
            {"message_id": reply.pk}
        ]


class TestSignedLinks:
    def answered(self, desk):
        request = desk.request_in(State.NEW)
        services.do_post_message(request, actor=BOT, body="Restart it.\n\n---\nDid this help?")
        request = services.transition(request, "propose_answer", actor=BOT)
        notices.notify_transition(request.pk, last_seq(request))
        (notice,) = told(request, "bot_answer")
        return request, notice

    def test_the_answer_mail_has_the_text_and_two_links(self, desk):
        _, notice = self.answered(desk)
        assert notice.body.startswith("Restart it.")
        assert "Did this help?" not in notice.body
        assert len(links_in(notice.body)) == 2

    def test_get_only_asks_post_accepts_through_the_door(self, desk, client, customer):
        request, notice = self.answered(desk)
        accept = links_in(notice.body)[0]

        page = client.get(accept)
        assert page.status_code == 200
        request.refresh_from_db()
        assert request.state == State.BOT_ANSWERED  # a link scanner's GET changes nothing

        done = client.post(accept)
        assert done.status_code == 200
        request.refresh_from_db()
        assert request.state == State.RESOLVED
        event = Event.objects.get(request=request, transition="accept_answer")
        assert event.actor == customer.user
        assert client.post(accept).status_code == 409

    def test_decline_hands_the_request_to_a_person(self, desk, client):
        request, notice = self.answered(desk)
        assert client.post(links_in(notice.body)[1]).status_code == 200
        request.refresh_from_db()
        assert request.state == State.NEW

    def test_the_rating_link_rates_once(self, desk, client):
        request = desk.request_in(State.RESOLVED)
        notices.notify_transition(request.pk, last_seq(request))
        (notice,) = told(request, "request_resolved")
        four = next(u for u in links_in(notice.body) if u.endswith("rating=4"))

        page = client.get(four)
        assert page.status_code == 200
        assert b'value="4" checked' in page.content
        assert client.post(four, {"rating": "4", "comment": "quick"}).status_code == 200
        assert (request.feedback.rating, request.feedback.comment) == (4, "quick")
        assert client.post(four, {"rating": "1"}).status_code == 409
        assert Feedback.objects.get(request=request).rating == 4

    def test_altered_and_expired_links_do_nothing(self, desk, client):
        request = desk.request_in(State.RESOLVED)
        notices.notify_transition(request.pk, last_seq(request))
        url = links_in(told(request, "request_resolved")[0].body)[0]
        forged = url.replace("/r/", "/r/x")

        assert client.post(forged, {"rating": "1"}).status_code == 404
        with override_settings(SERVICEDESK_LINK_MAX_AGE_DAYS=-1):
            assert client.post(url, {"rating": "1"}).status_code == 410
        assert not Feedback.objects.filter(request=request).exists()

    def test_the_page_is_in_the_customers_language(self, desk, client, customer):
        customer.language = "zh-hans"
        customer.save()
        _, notice = self.answered(desk)
        page = client.get(links_in(notice.body)[0])
        assert 'lang="zh-hans"' in page.content.decode()
        assert "Yes, this solved it" not in page.content.decode()
