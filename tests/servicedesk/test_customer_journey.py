"""The customer's journey end to end, on a real worker, real Redis, a real SMTP server and a
real IMAP server: submit by API, the bot's answer accepted by its signed link and the request
rated by the rating link; an agent's reply mailed in the customer's language, the customer's
answer by mail (quoting the mail) threaded onto the request, the resolution mailed and rated."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from apps.eventlog.models import Event
from apps.knowledge.models import Article, Phrasing
from apps.lifecycle.states import State
from apps.tickets.models import Feedback, Message, ServiceRequest
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, DepartmentFactory
from tests.mail.mails import mail, mailbox_for
from tests.support.api import client_for
from tests.support.smtp import smtp_env
from tests.support.workers import start_worker, stop_process, wait_for
from workflows.enqueue import enqueue

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.slow]

LINK = re.compile(r"https?://\S+/r/\S+/(?:\?rating=\d)?")


@pytest.fixture
def mailing_worker(transactional_db, tmp_path, smtp_server):
    """A worker whose mails go to the test's SMTP server; yields the server's inbox."""
    inbox, port = smtp_server
    worker = start_worker(tmp_path / "worker.log", **smtp_env(port))
    try:
        yield inbox, worker
    finally:
        stop_process(worker)
        print(worker.log_path.read_text()[-3000:])


def mail_to(inbox, worker, address: str, count: int, what: str):
    def arrived():
        assert worker.poll() is None, "the worker died"
        mails = inbox.to(address)
        return mails if len(mails) >= count else None

    return wait_for(arrived, timeout=90, what=what)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_answer_accepted_and_rated_by_the_mailed_links(mailing_worker):
    inbox, worker = mailing_worker
    customer = CustomerFactory(user__email="carol@example.com")
    article = Article.objects.create(
        key="reset-password",
        question="How do I reset my password?",
        answer="Open https://id.example.com and choose *Forgot password*.",
        language="en",
    )
    Phrasing.objects.create(article=article, text="I forgot my password")

    created = client_for(customer.user).post(
        "/api/v1/requests/",
        {"subject": "I forgot my password"},
        format="json",
    )
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]

    (answer,) = mail_to(inbox, worker, "carol@example.com", 1, "the bot's answer by mail")
    assert f"[{reference}]" in answer["Subject"]
    text = answer.get_content()
    assert "Forgot password" in text
    accept, _decline = LINK.findall(text)

    browser = Client()
    assert browser.get(path_of(accept)).status_code == 200
    assert browser.post(path_of(accept)).status_code == 200
    request = ServiceRequest.objects.get(pk=int(reference.removeprefix("SR-")))
    assert request.state == State.RESOLVED
    accepted = Event.objects.get(request=request, transition="accept_answer")
    assert accepted.actor == customer.user

    mails = mail_to(inbox, worker, "carol@example.com", 2, "the invitation to rate")
    invitation = mails[1]
    assert invitation["In-Reply-To"] == answer["Message-ID"]
    five = next(u for u in LINK.findall(invitation.get_content()) if u.endswith("rating=5"))
    assert browser.post(path_of(five), {"rating": "5", "comment": "fast"}).status_code == 200
    assert Feedback.objects.get(request=request).rating == 5


def test_a_conversation_by_mail_from_reply_to_rating(mailing_worker, imap_account):
    inbox, worker = mailing_worker
    mailbox_for(imap_account, address="desk@desk.example")
    department = DepartmentFactory(code="it")
    agent = AgentFactory(departments=[department], user__email="alice@example.com")
    customer = CustomerFactory(user__email="wang@example.com", language="zh-hans")
    category = CategoryFactory(default_department=department)

    created = client_for(customer.user).post(
        "/api/v1/requests/",
        {"subject": "Printer jam", "category": category.pk},
        format="json",
    )
    reference = created.json()["reference"]
    pk = int(reference.removeprefix("SR-"))

    def assigned():
        assert worker.poll() is None, "the worker died"
        return ServiceRequest.objects.get(pk=pk).assignee_id == agent.pk

    wait_for(assigned, timeout=90, what="routing and assignment")
    (told,) = mail_to(inbox, worker, "alice@example.com", 1, "the assignment by mail")
    assert f"[{reference}]" in told["Subject"]

    reply = client_for(agent.user).post(
        f"/api/v1/requests/{reference}/messages/",
        {"body": "请重启打印机。", "internal": False},
        format="json",
    )
    assert reply.status_code == 201, reply.content
    (mailed,) = mail_to(inbox, worker, "wang@example.com", 1, "the reply by mail")
    assert mailed["Content-Language"] == "zh-hans"
    assert mailed["Auto-Submitted"] == "auto-generated"
    assert "请重启打印机。" in mailed.get_content()
    assert "有新回复" in mailed["Subject"]
    assert mailed["Message-ID"].strip("<>") in {
        n.message_id for n in ServiceRequest.objects.get(pk=pk).notifications.all()
    }

    # The customer answers from their mail program, quoting the desk's mail, with a fresh
    # subject line; the poll threads it onto the request by In-Reply-To.
    quoted = "\n".join(f"> {line}" for line in mailed.get_content().splitlines())
    answer = f"型号是 HP 4050。\n\nOn Fri, the desk wrote:\n{quoted}\n"
    imap_account.append(
        mail(
            sender="wang@example.com",
            to="desk@desk.example",
            subject=f"Re: {mailed['Subject']}",
            text=answer,
            in_reply_to=mailed["Message-ID"].strip("<>"),
        )
    )
    assert enqueue("default.poll_mailboxes")

    def threaded():
        assert worker.poll() is None, "the worker died"
        return Message.objects.filter(request_id=pk, author_role="customer").first()

    message = wait_for(threaded, timeout=90, what="the mailed answer threaded onto the request")
    assert message.body.strip() == "型号是 HP 4050。"
    assert ServiceRequest.objects.filter(channel="email").count() == 0  # no new request
    (heard,) = mail_to(inbox, worker, "alice@example.com", 2, "the customer's reply")[1:]
    assert "型号是 HP 4050。" in heard.get_content()

    for name in ("start", "resolve"):
        moved = client_for(agent.user).post(
            f"/api/v1/requests/{reference}/transitions/{name}/", {}, format="json"
        )
        assert moved.status_code == 200, moved.content
    done = mail_to(inbox, worker, "wang@example.com", 2, "the resolution by mail")[1]
    assert done["References"].split()[0] == mailed["Message-ID"]
    two = next(u for u in LINK.findall(done.get_content()) if u.endswith("rating=2"))
    assert Client().post(path_of(two), {"rating": "2"}).status_code == 200
    assert Feedback.objects.get(request_id=pk).rating == 2
